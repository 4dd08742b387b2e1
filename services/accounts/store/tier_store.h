// SQL of the tier: the signed contracts reported by the orders service
// (ContractSigned events) and the tier settings. Runs on the consumer's
// transaction (the one that also records the event as processed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "common/db/pool.h"
#include "services/accounts/domain/tier_rules.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

class TierStore {
 public:
  // The settings row of migration 0004 (defaults when it is missing).
  static absl::StatusOr<TierSettings> Settings(db::Connection& c);
  // Replaces the settings (validated by the caller).
  static absl::Status SaveSettings(db::Connection& c, const TierSettings& s,
                                   absl::Time now);

  struct RecomputeResult {
    int64_t scanned = 0;  // accounts with at least one signed contract
    int64_t changed = 0;  // whose signed amount or tier moved
  };
  // Recomputes signed_amount and tier of every account that has signed
  // contracts, over the window ending at `as_of`, in batches of
  // `batch_size` accounts (each batch its own transaction): the window
  // slides, so a contract ages out of it without any new event, and new
  // thresholds apply to everyone.
  static absl::StatusOr<RecomputeResult> RecomputeAll(db::ConnectionPool& pool,
                                                      absl::Time as_of,
                                                      int batch_size = 500);

  struct SignedContract {
    std::string contract_id;
    int64_t account_id = 0;
    int64_t amount_minor = 0;
    std::string currency;
    absl::Time signed_at;
    // "YYYY-MM-DD": until then the contract protects the account from
    // recycling. Absent when the producer did not say.
    std::optional<std::string> end_date;
    std::string event_id;
  };
  // Records the contract (a contract id already recorded is kept as first
  // seen: replays add nothing), then, under the account's row lock: status
  // SIGNED, first_signed_at = the earliest signed contract, and
  // signed_amount_minor / tier recomputed from the contracts in the
  // settings' currency signed in the window ending at
  // max(as_of, contract.signed_at). NOT_FOUND when the account does not
  // exist.
  static absl::StatusOr<AccountRecord> ApplySigned(db::Connection& c,
                                                   const SignedContract& s,
                                                   absl::Time as_of);
};

}  // namespace crm::accounts
