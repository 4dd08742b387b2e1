// The leads service's event consumer (consumer group "leads") on
// "events:identity":
//   UserDeactivated {user_id, org_path}: the user's open leads (ASSIGNED,
//       CONTACTING, QUALIFIED) go to the nearest active sales manager at or
//       above the user's unit, status kept (a qualified lead stays
//       qualified); with no such manager, back to their region's pool as
//       NEW (ADR 0099). Identity is asked only when there is a lead to move.
// Other types are ignored; payloads that can never apply are logged and
// acknowledged. Effects commit with the processed_events row (exactly
// once); identity unreachable fails the entry, which is redelivered.
#pragma once

#include <memory>
#include <string>

#include "common/client/manager_lookup.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/consumer.h"
#include "common/redis/redis_pool.h"

namespace crm::leads {

inline constexpr char kEventsGroup[] = "leads";

// `managers` finds who takes over (may be null: back to the pool; must
// outlive the consumer). `consumer_name` identifies this replica ("" =
// "<hostname>-<pid>").
std::unique_ptr<events::StreamConsumer> NewLeadsEventConsumer(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, client::ManagerLookup* managers,
    std::string consumer_name = "");

}  // namespace crm::leads
