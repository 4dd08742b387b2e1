// SQL for accounts, their name n-grams (for similarity search) and the
// creation entry of the pool history.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

class AccountStore {
 public:
  AccountStore(std::shared_ptr<db::ConnectionPool> pool,
               std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  struct CreateOutcome {
    std::optional<AccountRecord> created;
    // Set instead when an account with the same unique key exists.
    std::optional<AccountRecord> existing;
    std::string clashing_key;  // "credit_code" or "phone"
  };
  // Inserts `a` (placed in a pool or with an owner) and records the move.
  // The same non-empty request_id returns the account created first.
  absl::StatusOr<CreateOutcome> Create(const AccountRecord& a,
                                       const std::vector<std::string>& grams,
                                       MoveKind kind, int64_t actor_id,
                                       const std::string& request_id);

  absl::StatusOr<AccountRecord> Get(int64_t id);
  absl::StatusOr<std::optional<AccountRecord>> FindByRequestId(
      const std::string& request_id);
  // Accounts holding the credit code or (for persons) the phone.
  absl::StatusOr<std::vector<AccountRecord>> FindExact(
      const std::optional<std::string>& credit_code,
      const std::optional<std::string>& phone);
  // Accounts holding any of `credit_codes` or any of `phones`, in one
  // query (CheckDuplicatesBatch).
  absl::StatusOr<std::vector<AccountRecord>> FindExactAny(
      const std::vector<std::string>& credit_codes,
      const std::vector<std::string>& phones);
  struct GramHit {
    AccountRecord account;
    int shared_grams = 0;
  };
  // Accounts sharing the most name n-grams with `grams`, best first.
  absl::StatusOr<std::vector<GramHit>> FindByNameGrams(
      const std::vector<std::string>& grams, int limit);
  // The same for several drafts in one query: one list per draft, in order.
  absl::StatusOr<std::vector<std::vector<GramHit>>> FindByNameGramsMany(
      const std::vector<std::vector<std::string>>& grams, int limit);

  struct ListFilter {
    std::optional<int64_t> owner_id;
    std::string owner_subtree_path;
    std::optional<int64_t> pool_id;
    std::optional<Tier> tier;
    std::optional<CustomerType> type;
    std::optional<AccountStatus> status;
    std::string region_code;
    std::optional<absl::Time> follow_up_before, follow_up_after;
    std::string name_prefix;
    int64_t after_id = 0;
    int limit = 50;
  };
  // `visibility` is the data-scope predicate, OR-ed by the caller with
  // "in a public pool" where pool accounts are visible.
  absl::StatusOr<std::vector<AccountRecord>> List(
      const ListFilter& f, const auth::SqlPredicate& visibility);

  struct Changes {
    std::optional<std::string> name, name_norm, industry, address, region_code,
        credit_code, phone, id_number;
    std::optional<std::vector<std::string>> grams;
    std::optional<std::optional<double>> lat, lng;
    std::optional<CustomerType> type;
    std::optional<AccountStatus> status;
  };
  absl::StatusOr<AccountRecord> Update(int64_t id, const Changes& ch);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

// Reads one accounts row (the columns of kAccountColumns).
AccountRecord AccountFromRow(const db::Row& r);
// The column list every accounts SELECT uses, with alias "a".
extern const char kAccountColumns[];
absl::StatusOr<AccountRecord> GetAccountOn(db::Connection& c, int64_t id,
                                           bool for_update);
absl::Status InsertMove(db::Connection& c, const PoolMoveRecord& m,
                        const std::string& request_id);

}  // namespace crm::accounts
