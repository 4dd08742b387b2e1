#include "services/accounts/store/org_path_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"

namespace crm::accounts {
namespace {

// One table's paths under `old_path` re-prefixed to `new_path`.
absl::StatusOr<int64_t> RepathColumn(db::Connection& tx,
                                     const std::string& table,
                                     const std::string& column,
                                     const std::string& old_path,
                                     const std::string& new_path) {
  const std::string like = auth::EscapeLike(old_path) + "%";
  const int64_t cut = static_cast<int64_t>(old_path.size()) + 1;
  std::string sql =
      absl::StrCat("UPDATE ", table, " SET ", column, " = CONCAT(?, SUBSTRING(",
                   column, ", ?)) WHERE ", column, " LIKE ?");
  std::vector<db::Param> params = {new_path, cut, like};
  if (absl::StartsWith(new_path, old_path)) {
    // The new prefix lies under the old one: a path already under the new
    // prefix has been moved (a replay) and must not be prefixed again.
    absl::StrAppend(&sql, " AND ", column, " NOT LIKE ?");
    params.push_back(auth::EscapeLike(new_path) + "%");
  }
  return tx.Exec(sql, params);
}

}  // namespace

absl::StatusOr<RepathCounts> RepathSubtree(db::Connection& tx,
                                           const std::string& old_path,
                                           const std::string& new_path) {
  RepathCounts n;
  if (old_path == new_path || old_path.empty()) return n;
  ASSIGN_OR_RETURN(n.accounts, RepathColumn(tx, "accounts", "owner_org_path",
                                            old_path, new_path));
  ASSIGN_OR_RETURN(n.tasks, RepathColumn(tx, "tasks", "assignee_org_path",
                                         old_path, new_path));
  ASSIGN_OR_RETURN(n.visits, RepathColumn(tx, "visits", "user_org_path",
                                          old_path, new_path));
  return n;
}

absl::StatusOr<RepathCounts> RepathUser(db::Connection& tx, int64_t user_id,
                                        const std::string& new_path) {
  RepathCounts n;
  ASSIGN_OR_RETURN(n.accounts,
                   tx.Exec("UPDATE accounts SET owner_org_path = ? WHERE "
                           "owner_id = ? AND owner_org_path <> ?",
                           {new_path, user_id, new_path}));
  // Open tasks only: a done or cancelled task stays with the team it was
  // done in.
  ASSIGN_OR_RETURN(n.tasks,
                   tx.Exec("UPDATE tasks SET assignee_org_path = ? WHERE "
                           "assignee_id = ? AND status = 1 AND "
                           "assignee_org_path <> ?",
                           {new_path, user_id, new_path}));
  ASSIGN_OR_RETURN(n.visits,
                   tx.Exec("UPDATE visits SET user_org_path = ? WHERE "
                           "user_id = ? AND user_org_path <> ?",
                           {new_path, user_id, new_path}));
  return n;
}

}  // namespace crm::accounts
