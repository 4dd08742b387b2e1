#include "services/accounts/store/owner_release_store.h"

#include <algorithm>

#include "common/status/status.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

absl::StatusOr<std::vector<std::string>> OwnedRegions(db::Connection& c,
                                                      int64_t owner_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT region_code FROM accounts WHERE owner_id = ?"
                           " FOR UPDATE",
                           {owner_id}));
  std::vector<std::string> out;
  for (const db::Row& r : rows) {
    std::string region = r.String("region_code");
    if (std::find(out.begin(), out.end(), region) == out.end())
      out.push_back(std::move(region));
  }
  return out;
}

absl::StatusOr<int64_t> MoveOwnedToPool(db::Connection& c, int64_t owner_id,
                                        const std::string& region_code,
                                        int64_t pool_id, int64_t actor_id,
                                        const std::string& reason,
                                        absl::Time now) {
  // History first, while the rows still name the old owner.
  ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("INSERT INTO pool_moves (account_id, kind, from_owner_id,"
             " from_pool_id, to_owner_id, to_pool_id, actor_id, reason, at)"
             " SELECT id, ?, owner_id, NULL, NULL, ?, ?, ?, ? FROM accounts"
             " WHERE owner_id = ? AND region_code = ?",
             {static_cast<int>(MoveKind::kTransfer), pool_id, actor_id, reason,
              now, owner_id, region_code}));
  RETURN_IF_ERROR(
      c.Exec("UPDATE accounts SET owner_id = NULL, owner_org_path = '',"
             " pool_id = ?, owned_since = NULL, updated_at = ?"
             " WHERE owner_id = ? AND region_code = ?",
             {pool_id, now, owner_id, region_code})
          .status());
  return n;
}

absl::StatusOr<int64_t> MoveOwnedToOwner(db::Connection& c, int64_t owner_id,
                                         int64_t new_owner_id,
                                         const std::string& new_owner_org_path,
                                         int64_t actor_id,
                                         const std::string& reason,
                                         absl::Time now) {
  ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("INSERT INTO pool_moves (account_id, kind, from_owner_id,"
             " from_pool_id, to_owner_id, to_pool_id, actor_id, reason, at)"
             " SELECT id, ?, owner_id, NULL, ?, NULL, ?, ?, ? FROM accounts"
             " WHERE owner_id = ?",
             {static_cast<int>(MoveKind::kTransfer), new_owner_id, actor_id,
              reason, now, owner_id}));
  RETURN_IF_ERROR(c.Exec("UPDATE accounts SET owner_id = ?, owner_org_path = ?,"
                         " owned_since = ?, updated_at = ? WHERE owner_id = ?",
                         {new_owner_id, new_owner_org_path, now, now, owner_id})
                      .status());
  return n;
}

}  // namespace crm::accounts
