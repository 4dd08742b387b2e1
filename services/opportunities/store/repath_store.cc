#include "services/opportunities/store/repath_store.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"

namespace crm::opportunities {
namespace {

// Moves the rows of a rollup table under `like` to the new prefix, merging
// into rows that may already exist there.
absl::Status MoveRollup(db::Connection& tx, const std::string& table,
                        const std::vector<std::string>& columns,
                        const std::string& merge, const std::string& new_path,
                        int64_t cut, const std::string& like) {
  std::string insert_columns, select_columns;
  for (const std::string& c : columns) {
    absl::StrAppend(&insert_columns, ", ", c);
    absl::StrAppend(&select_columns, ", src.", c);
  }
  RETURN_IF_ERROR(
      tx.Exec(absl::StrCat("INSERT INTO ", table,
                           " (pipeline_id, "
                           "owner_org_path",
                           insert_columns,
                           ") SELECT src.pipeline_id, CONCAT(?, "
                           "SUBSTRING(src.owner_org_path, ?))",
                           select_columns, " FROM ", table,
                           " src WHERE src.owner_org_path LIKE ? ON DUPLICATE "
                           "KEY UPDATE ",
                           merge),
              {new_path, cut, like})
          .status());
  return tx
      .Exec(absl::StrCat("DELETE FROM ", table, " WHERE owner_org_path LIKE ?"),
            {like})
      .status();
}

// Adds `sign` x the funnel cells of `user_id`'s opportunities.
absl::Status AddOwnerCells(db::Connection& tx, int64_t user_id, int sign) {
  return tx
      .Exec(
          "INSERT INTO funnel_daily (pipeline_id, owner_org_path, day, "
          "stage_pos, max_open_pos, n, amount_minor) SELECT o.pipeline_id, "
          "o.owner_org_path, DATE(o.created_at), o.stage_pos, "
          "o.max_open_pos, ? * COUNT(*), ? * SUM(o.amount_minor) FROM "
          "opportunities o WHERE o.owner_id = ? GROUP BY o.pipeline_id, "
          "o.owner_org_path, DATE(o.created_at), o.stage_pos, o.max_open_pos "
          "ON DUPLICATE KEY UPDATE funnel_daily.n = funnel_daily.n + "
          "VALUES(n), funnel_daily.amount_minor = funnel_daily.amount_minor + "
          "VALUES(amount_minor)",
          {sign, sign, user_id})
      .status();
}

}  // namespace

absl::StatusOr<int64_t> RepathSubtree(db::Connection& tx,
                                      const std::string& old_path,
                                      const std::string& new_path) {
  if (old_path == new_path) return 0;
  const std::string like = auth::EscapeLike(old_path) + "%";
  const int64_t cut = static_cast<int64_t>(old_path.size()) + 1;
  ASSIGN_OR_RETURN(
      int64_t moved,
      tx.Exec("UPDATE opportunities SET owner_org_path = CONCAT(?, "
              "SUBSTRING(owner_org_path, ?)) WHERE owner_org_path LIKE ?",
              {new_path, cut, like}));
  RETURN_IF_ERROR(
      tx.Exec("UPDATE stage_history SET owner_org_path = CONCAT(?, "
              "SUBSTRING(owner_org_path, ?)) WHERE owner_org_path LIKE ?",
              {new_path, cut, like})
          .status());
  RETURN_IF_ERROR(
      MoveRollup(tx, "funnel_daily",
                 {"day", "stage_pos", "max_open_pos", "n", "amount_minor"},
                 "funnel_daily.n = funnel_daily.n + VALUES(n), "
                 "funnel_daily.amount_minor = funnel_daily.amount_minor + "
                 "VALUES(amount_minor)",
                 new_path, cut, like));
  RETURN_IF_ERROR(MoveRollup(
      tx, "stay_monthly", {"month", "from_pos", "hours", "n"},
      "stay_monthly.n = stay_monthly.n + VALUES(n)", new_path, cut, like));
  return moved;
}

absl::StatusOr<int64_t> RepathOwner(db::Connection& tx, int64_t user_id,
                                    const std::string& new_path) {
  RETURN_IF_ERROR(AddOwnerCells(tx, user_id, -1));
  ASSIGN_OR_RETURN(int64_t moved,
                   tx.Exec("UPDATE opportunities SET owner_org_path = ? "
                           "WHERE owner_id = ? AND owner_org_path <> ?",
                           {new_path, user_id, new_path}));
  RETURN_IF_ERROR(AddOwnerCells(tx, user_id, 1));
  return moved;
}

}  // namespace crm::opportunities
