// SQL for pools and for moving accounts between them: claim, release,
// assign, transfer, with the append-only history.
//
// Claims never double-assign: the account row is locked (SELECT ... FOR
// UPDATE) and the move is a conditional UPDATE (WHERE owner_id IS NULL AND
// pool_id = ?), so the database alone guarantees one winner; the Redis lock
// taken by the service before it only keeps losers from queueing on the
// row lock.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

class PoolStore {
 public:
  PoolStore(std::shared_ptr<db::ConnectionPool> pool,
            std::shared_ptr<const Clock> clock, ClaimRules default_rules)
      : pool_(std::move(pool)),
        clock_(std::move(clock)),
        default_rules_(default_rules) {}

  absl::StatusOr<PoolRecord> Create(const PoolRecord& p,
                                    const std::string& request_id);
  absl::StatusOr<PoolRecord> Get(int64_t id);
  absl::StatusOr<std::vector<PoolRecord>> List(const std::string& region_code);
  absl::StatusOr<PoolRecord> UpdateRules(
      int64_t id, const std::optional<std::string>& name,
      const std::optional<ClaimRules>& rules,
      const std::optional<std::string>& recycle_rules_json);
  // The region's default public pool, created with the default rules on
  // first use.
  absl::StatusOr<PoolRecord> RegionDefault(const std::string& region_code);

  struct Claimant {
    int64_t user_id = 0;
    std::string org_path;
    std::string region_code;
    std::vector<int64_t> org_unit_ids;  // the units on the claimant's path
  };
  absl::StatusOr<AccountRecord> Claim(int64_t account_id, const Claimant& rep,
                                      const std::string& request_id);

  struct NewOwner {
    int64_t user_id = 0;
    std::string org_path;
  };
  // Moves one account to `owner` (assign) or to `pool_id` (release).
  // `expect_owner`: when set, the account must currently belong to him.
  absl::StatusOr<AccountRecord> Move(int64_t account_id, MoveKind kind,
                                     const std::optional<NewOwner>& owner,
                                     std::optional<int64_t> pool_id,
                                     std::optional<int64_t> expect_owner,
                                     int64_t actor_id,
                                     const std::string& reason);
  // Moves every account of `from_owner` (TRANSFER); returns how many.
  absl::StatusOr<int64_t> TransferAll(int64_t from_owner,
                                      const std::optional<NewOwner>& owner,
                                      std::optional<int64_t> pool_id,
                                      int64_t actor_id,
                                      const std::string& reason);

  absl::StatusOr<std::vector<PoolMoveRecord>> History(int64_t account_id,
                                                      int64_t after_id,
                                                      int limit);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
  ClaimRules default_rules_;
};

}  // namespace crm::accounts
