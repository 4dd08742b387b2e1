// The tickets service's event consumer (consumer group "tickets") on
// "events:identity":
//   UserDeactivated {user_id}: the user stops being an active agent of
//       every support group (automatic assignment no longer picks them),
//       and their open tickets lose their assignee: an ASSIGNED one goes
//       back to its group's queue as NEW (anyone can grab it); one in
//       progress or waiting on the customer keeps its status and SLA
//       clocks for a support manager or AutoAssign to give to someone
//       (ADR 0099). History "unassigned" names the reason.
// Other types are ignored; effects commit with the processed_events row
// (exactly once); a redelivered event finds nothing left to change.
#pragma once

#include <memory>
#include <string>

#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/consumer.h"
#include "common/redis/redis_pool.h"

namespace crm::tickets {

inline constexpr char kEventsGroup[] = "tickets";

// `consumer_name` identifies this replica ("" = "<hostname>-<pid>").
std::unique_ptr<events::StreamConsumer> NewTicketsEventConsumer(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, std::string consumer_name = "");

}  // namespace crm::tickets
