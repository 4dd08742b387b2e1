// The accounts service's event consumers (consumer group "accounts"):
//   "events:identity" UserDeactivated {user_id, org_unit_id, org_path,
//       deactivated_by}: every private account of the user moves to the
//       default public pool of its region (TRANSFER history entries, actor
//       0 = system, reason "owner deactivated"). Idempotent by
//       construction (a second run finds nothing owned) on top of the
//       processed_events dedupe.
//   "events:orders" ContractSigned {contract_id, account_id, amount_minor,
//       currency, signed_at}: the account becomes SIGNED, first_signed_at is
//       its earliest signed contract (the first purchase makes a new
//       customer), signed_amount and tier are recomputed over the tier
//       window from signed_contracts (exact, and replay-safe: a contract id
//       counts once).
// Other event types on these streams are ignored. Payloads that can never
// be applied (a field missing or of the wrong type, an unknown account) are
// logged and acknowledged, so they do not block the stream.
//
// Each handler runs inside the consumer's transaction (common/events
// consumer.h): effects and the processed_events row commit together.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/consumer.h"
#include "common/redis/redis_pool.h"
#include "services/accounts/domain/pool_rules.h"

namespace crm::accounts {

inline constexpr char kEventsGroup[] = "accounts";
inline constexpr char kOwnerDeactivatedReason[] = "owner deactivated";

class AccountsEventConsumers {
 public:
  // `redis` must outlive this. `consumer_name` identifies this replica in
  // the group ("" = "<hostname>-<pid>"). `default_rules` are the claim rules
  // of a region default pool created on first use.
  AccountsEventConsumers(std::shared_ptr<db::ConnectionPool> pool,
                         redis::RedisPool* redis,
                         std::shared_ptr<const Clock> clock,
                         ClaimRules default_rules,
                         std::string consumer_name = "");
  ~AccountsEventConsumers();

  // Background polling of both streams; both idempotent.
  void Start();
  void Stop();

  // One non-blocking pass over both streams (tests, tools): entries
  // acknowledged.
  absl::StatusOr<int> PollOnce();

  events::StreamConsumer& identity() { return *identity_; }
  events::StreamConsumer& orders() { return *orders_; }

 private:
  absl::Status OnIdentity(const events::Event& e, db::Connection& tx);
  absl::Status OnOrders(const events::Event& e, db::Connection& tx);

  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
  ClaimRules default_rules_;
  std::unique_ptr<events::StreamConsumer> identity_;
  std::unique_ptr<events::StreamConsumer> orders_;
};

}  // namespace crm::accounts
