// SQL of moving every private account of a (deactivated) owner to a public
// pool or to another owner, on the caller's transaction (the event consumer's),
// with one TRANSFER history entry per account. PoolStore::TransferAll does the
// same in a transaction of its own, for the TransferAccounts RPC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"

namespace crm::accounts {

// The distinct regions of the accounts `owner_id` holds, locking them
// (FOR UPDATE) so a concurrent claim or assign waits.
absl::StatusOr<std::vector<std::string>> OwnedRegions(db::Connection& c,
                                                      int64_t owner_id);

// Moves the owner's accounts of `region_code` into `pool_id`; returns how
// many. Running it again moves nothing (the owner holds none any more).
absl::StatusOr<int64_t> MoveOwnedToPool(db::Connection& c, int64_t owner_id,
                                        const std::string& region_code,
                                        int64_t pool_id, int64_t actor_id,
                                        const std::string& reason,
                                        absl::Time now);

// Moves every account the owner holds to `new_owner_id` (who sits at
// `new_owner_org_path`); returns how many. Running it again moves nothing.
absl::StatusOr<int64_t> MoveOwnedToOwner(db::Connection& c, int64_t owner_id,
                                         int64_t new_owner_id,
                                         const std::string& new_owner_org_path,
                                         int64_t actor_id,
                                         const std::string& reason,
                                         absl::Time now);

}  // namespace crm::accounts
