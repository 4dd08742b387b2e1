// What protects privately owned accounts from recycling (seed 004: a rep's
// "locked" customers, capped per rep; customers with an open opportunity or
// an active contract), and the SQL that keeps those facts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/connection.h"
#include "common/db/pool.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

struct ProtectionFacts {
  bool open_opportunity = false;
  std::optional<absl::Time> last_opportunity_at;
  bool active_contract = false;
};

class ProtectionStore {
 public:
  ProtectionStore(db::ConnectionPool* pool, std::shared_ptr<const Clock> clock)
      : pool_(pool), clock_(std::move(clock)) {}

  // The owner locks one of their accounts. Locking one already locked is a
  // no-op. FAILED_PRECONDITION when `rep_id` does not own it;
  // RESOURCE_EXHAUSTED when the rep already holds `locked_capacity` locked
  // accounts (0 = unlimited). The rep's claim-counter row serializes one
  // rep's parallel locks, so the cap cannot be overshot.
  absl::StatusOr<AccountRecord> Lock(int64_t account_id, int64_t rep_id,
                                     int locked_capacity);
  // Ends the lock (a no-op when not locked).
  absl::StatusOr<AccountRecord> Unlock(int64_t account_id);

  // Protection facts of the accounts with ids in [first_id, last_id] that
  // have any (others are absent from the map), as of `as_of`.
  static absl::StatusOr<std::map<int64_t, ProtectionFacts>> Load(
      db::Connection& c, int64_t first_id, int64_t last_id, absl::Time as_of);

  // Records an opportunity's state as reported by the opportunities
  // service; `at` is when it happened (the first report's time is kept as
  // the opening time).
  static absl::Status ApplyOpportunity(db::Connection& c,
                                       int64_t opportunity_id,
                                       int64_t account_id, bool open,
                                       absl::Time at);

 private:
  db::ConnectionPool* pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::accounts
