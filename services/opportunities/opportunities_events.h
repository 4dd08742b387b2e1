// The opportunities service's event consumer (consumer group
// "opportunities") on "events:identity":
//   OrgUnitMoved {org_unit_id, old_path, new_path}: every opportunity,
//       stage history row and funnel rollup row under old_path moves under
//       new_path (RepathSubtree), so data scope and funnels follow the org
//       tree;
//   UserOrgChanged {user_id, old_org_path, new_org_path}: the user's
//       opportunities take the new path (RepathOwner);
//   UserDeactivated {user_id, org_path}: with HandOverTo(), the user's open
//       opportunities go to the nearest active sales manager at or above
//       the user's unit (ADR 0099; closed ones keep their owner, the
//       history of who won or lost them);
// and on "events:accounts":
//   AccountActivity {account_id, at_unix_ms, kind, actor_id}: a follow-up
//       or visit restarts the stale clock of the account's open
//       opportunities (last_activity_at moves forward to the contact,
//       capped at the event's time).
// Other types are ignored; payloads that can never apply are logged and
// acknowledged. Effects commit with the processed_events row (exactly
// once).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/client/manager_lookup.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/consumer.h"
#include "common/redis/redis_pool.h"
#include "services/opportunities/store/opportunity_store.h"

namespace crm::opportunities {

inline constexpr char kEventsGroup[] = "opportunities";

class OpportunitiesEventConsumers {
 public:
  // `consumer_name` identifies this replica ("" = "<hostname>-<pid>").
  OpportunitiesEventConsumers(std::shared_ptr<db::ConnectionPool> pool,
                              redis::RedisPool* redis,
                              std::shared_ptr<const Clock> clock,
                              std::string consumer_name = "");
  ~OpportunitiesEventConsumers();

  // Hand a deactivated owner's open opportunities to their nearest manager
  // (the lookup must outlive this). Without it UserDeactivated is ignored.
  void HandOverTo(client::ManagerLookup* lookup) { managers_ = lookup; }

  void Start();
  void Stop();
  // One non-blocking pass (tests): entries acknowledged.
  absl::StatusOr<int> PollOnce();

 private:
  absl::Status OnIdentity(const events::Event& e, db::Connection& tx);
  absl::Status OnAccounts(const events::Event& e, db::Connection& tx);
  absl::Status OnUserDeactivated(const events::Event& e, db::Connection& tx);

  OpportunityStore opportunities_;
  client::ManagerLookup* managers_ = nullptr;

  std::unique_ptr<events::StreamConsumer> identity_;
  std::unique_ptr<events::StreamConsumer> accounts_;
};

}  // namespace crm::opportunities
