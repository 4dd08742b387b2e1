#include "services/orders/store/board_pending_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"

namespace crm::orders::board_pending_store {

absl::StatusOr<int64_t> Add(db::Connection& c, BoardMetric metric,
                            absl::CivilDay day, absl::Time now) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO leaderboard_pending (metric, day, created_at) "
             "VALUES (?, ?, ?)",
             {static_cast<int>(metric), FormatDate(day), now})
          .status());
  return c.LastInsertId();
}

absl::Status Remove(db::Connection& c, const std::vector<int64_t>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::string sql = "DELETE FROM leaderboard_pending WHERE id IN (";
  std::vector<db::Param> params;
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::StrAppend(&sql, i == 0 ? "?" : ", ?");
    params.emplace_back(ids[i]);
  }
  sql += ")";
  return c.Exec(sql, params).status();
}

absl::StatusOr<std::vector<PendingBump>> AddedBefore(db::Connection& c,
                                                     absl::Time before,
                                                     int limit) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id, metric, day FROM leaderboard_pending "
              "WHERE created_at < ? ORDER BY created_at, id LIMIT ?",
              {before, limit}));
  std::vector<PendingBump> out;
  for (const db::Row& r : rows) {
    PendingBump b;
    b.id = r.Int("id");
    b.metric = static_cast<BoardMetric>(r.Int("metric"));
    ASSIGN_OR_RETURN(b.day, ParseDate("day", r.String("day")));
    out.push_back(b);
  }
  return out;
}

}  // namespace crm::orders::board_pending_store
