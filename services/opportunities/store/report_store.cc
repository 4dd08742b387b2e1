#include "services/opportunities/store/report_store.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::opportunities {
namespace {

// "(<visibility>) [AND <alias>.owner_org_path LIKE ?]" and its params.
std::string ScopeSql(const ReportScope& s, const std::string& alias,
                     std::vector<db::Param>* params) {
  const auth::SqlPredicate& v =
      alias == "r" ? *s.rollup_visibility : s.visibility;
  std::string sql = absl::StrCat("(", v.sql, ")");
  params->insert(params->end(), v.params.begin(), v.params.end());
  if (!s.subtree_path.empty()) {
    absl::StrAppend(&sql, " AND ", alias, ".owner_org_path LIKE ?");
    params->push_back(auth::EscapeLike(s.subtree_path) + "%");
  }
  return sql;
}

std::string RawColumn(ForecastGroup g, bool won) {
  switch (g) {
    case ForecastGroup::kTeam:
    case ForecastGroup::kRegion:
      return "o.owner_org_path";
    case ForecastGroup::kMonth:
      return won ? "DATE_FORMAT(o.closed_at, '%Y-%m')"
                 : "DATE_FORMAT(o.expected_close_date, '%Y-%m')";
    case ForecastGroup::kOwner:
    default:
      return "CAST(o.owner_id AS CHAR)";
  }
}

// The whole UTC days [d1, d2) inside [from, to), as times; d1 >= d2 when
// none.
std::pair<absl::Time, absl::Time> WholeDays(absl::Time from, absl::Time to) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilDay d1 = absl::ToCivilDay(from, utc);
  if (absl::FromCivil(d1, utc) < from) ++d1;
  return {absl::FromCivil(d1, utc),
          absl::FromCivil(absl::ToCivilDay(to, utc), utc)};
}

// The whole UTC months [m1, m2) inside [from, to), as times.
std::pair<absl::Time, absl::Time> WholeMonths(absl::Time from, absl::Time to) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilMonth m1 = absl::ToCivilMonth(from, utc);
  if (absl::FromCivil(m1, utc) < from) ++m1;
  return {absl::FromCivil(m1, utc),
          absl::FromCivil(absl::ToCivilMonth(to, utc), utc)};
}

std::string DateOf(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

// Runs `live` on the partial periods around [r1, r2) and appends to `out`.
template <typename T, typename Fn>
absl::Status AddEdges(absl::Time from, absl::Time to, absl::Time r1,
                      absl::Time r2, const Fn& live, std::vector<T>* out) {
  if (from < r1) {
    ASSIGN_OR_RETURN(std::vector<T> head, live(from, r1));
    out->insert(out->end(), head.begin(), head.end());
  }
  if (r2 < to) {
    ASSIGN_OR_RETURN(std::vector<T> tail, live(r2, to));
    out->insert(out->end(), tail.begin(), tail.end());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<FunnelCell>> ReportStore::FunnelCells(
    int64_t pipeline_id, const ReportScope& s, absl::Time from, absl::Time to) {
  auto [d1, d2] = WholeDays(from, to);
  if (!s.rollup_visibility.has_value() || d1 >= d2)
    return LiveCells(pipeline_id, s, from, to, false);
  std::vector<db::Param> params = {pipeline_id};
  const std::string sql = absl::StrCat(
      "SELECT r.stage_pos, r.max_open_pos, CAST(SUM(r.n) AS SIGNED) AS n, "
      "CAST(SUM(r.amount_minor) AS SIGNED) AS amount FROM funnel_daily r "
      "WHERE r.pipeline_id = ? AND ",
      ScopeSql(s, "r", &params),
      " AND r.day >= ? AND r.day < ? GROUP BY r.stage_pos, r.max_open_pos");
  params.push_back(DateOf(d1));
  params.push_back(DateOf(d2));
  std::vector<FunnelCell> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) {
      out.push_back({static_cast<int>(r.Int("stage_pos")),
                     static_cast<int>(r.Int("max_open_pos")), r.Int("n"),
                     r.Int("amount")});
    }
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(AddEdges<FunnelCell>(
      from, to, d1, d2,
      [&](absl::Time a, absl::Time b) {
        return LiveCells(pipeline_id, s, a, b, s.wide);
      },
      &out));
  return out;
}

absl::StatusOr<std::vector<StayBucket>> ReportStore::StayBuckets(
    int64_t pipeline_id, const ReportScope& s, absl::Time from, absl::Time to) {
  auto [d1, d2] = WholeMonths(from, to);
  if (!s.rollup_visibility.has_value() || d1 >= d2)
    return LiveStays(pipeline_id, s, from, to, false);
  std::vector<db::Param> params = {pipeline_id};
  const std::string sql = absl::StrCat(
      "SELECT r.from_pos, r.hours, CAST(SUM(r.n) AS SIGNED) AS n FROM "
      "stay_monthly r WHERE r.pipeline_id = ? AND ",
      ScopeSql(s, "r", &params),
      " AND r.month >= ? AND r.month < ? GROUP BY r.from_pos, r.hours");
  params.push_back(DateOf(d1));
  params.push_back(DateOf(d2));
  std::vector<StayBucket> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) {
      out.push_back(
          {static_cast<int>(r.Int("from_pos")), r.Int("hours"), r.Int("n")});
    }
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(AddEdges<StayBucket>(
      from, to, d1, d2,
      [&](absl::Time a, absl::Time b) {
        return LiveStays(pipeline_id, s, a, b, s.wide);
      },
      &out));
  return out;
}

absl::StatusOr<std::vector<FunnelCell>> ReportStore::LiveCells(
    int64_t pipeline_id, const ReportScope& s, absl::Time from, absl::Time to,
    bool by_time) {
  std::vector<db::Param> params = {pipeline_id};
  // A short edge period is read by time whatever the org prefix.
  const std::string sql = absl::StrCat(
      "SELECT o.stage_pos, o.max_open_pos, COUNT(*) AS n, "
      "CAST(COALESCE(SUM(o.amount_minor), 0) AS SIGNED) AS amount FROM "
      "opportunities o ",
      by_time ? "FORCE INDEX (ix_opp_funnel_time) " : "",
      "WHERE o.pipeline_id = ? AND ", ScopeSql(s, "o", &params),
      " AND o.created_at >= ? AND o.created_at < ? GROUP BY o.stage_pos, "
      "o.max_open_pos");
  params.push_back(from);
  params.push_back(to);
  std::vector<FunnelCell> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) {
      out.push_back({static_cast<int>(r.Int("stage_pos")),
                     static_cast<int>(r.Int("max_open_pos")), r.Int("n"),
                     r.Int("amount")});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<StayBucket>> ReportStore::LiveStays(
    int64_t pipeline_id, const ReportScope& s, absl::Time from, absl::Time to,
    bool by_time) {
  std::vector<db::Param> params = {pipeline_id};
  const std::string sql = absl::StrCat(
      "SELECT h.from_pos, h.seconds_in_from DIV 3600 AS hours, COUNT(*) AS n "
      "FROM stage_history h ",
      by_time ? "FORCE INDEX (ix_hist_time) " : "",
      "WHERE h.pipeline_id = ? AND h.ends_stay = 1 AND ",
      ScopeSql(s, "h", &params),
      " AND h.at >= ? AND h.at < ? GROUP BY h.from_pos, hours");
  params.push_back(from);
  params.push_back(to);
  std::vector<StayBucket> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) {
      out.push_back(
          {static_cast<int>(r.Int("from_pos")), r.Int("hours"), r.Int("n")});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<OpenCell>> ReportStore::ForecastOpen(
    ForecastGroup g, const ReportScope& s, std::optional<int64_t> pipeline_id,
    const std::string& close_from, const std::string& close_to) {
  std::vector<db::Param> params = {close_from, close_to};
  std::string sql = absl::StrCat(
      "SELECT ", RawColumn(g, false),
      " AS raw, o.currency, o.probability_bp, COUNT(*) AS n, "
      "CAST(COALESCE(SUM(o.amount_minor), 0) AS SIGNED) AS amount FROM "
      "opportunities o WHERE o.status = 1 AND o.expected_close_date BETWEEN ? "
      "AND ? AND ",
      ScopeSql(s, "o", &params));
  if (pipeline_id.has_value()) {
    sql += " AND o.pipeline_id = ?";
    params.push_back(*pipeline_id);
  }
  sql += " GROUP BY raw, o.currency, o.probability_bp";
  std::vector<OpenCell> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) {
      out.push_back({r.String("raw"), r.String("currency"),
                     static_cast<int>(r.Int("probability_bp")), r.Int("n"),
                     r.Int("amount")});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<WonCell>> ReportStore::ForecastWon(
    ForecastGroup g, const ReportScope& s, std::optional<int64_t> pipeline_id,
    const std::string& close_from, const std::string& close_to) {
  std::vector<db::Param> params = {close_from, close_to};
  std::string sql = absl::StrCat(
      "SELECT ", RawColumn(g, true),
      " AS raw, o.currency, COUNT(*) AS n, "
      "CAST(COALESCE(SUM(o.amount_minor), 0) AS SIGNED) AS amount FROM "
      "opportunities o WHERE o.status = 2 AND o.closed_at >= ? AND "
      "o.closed_at < DATE_ADD(?, INTERVAL 1 DAY) AND ",
      ScopeSql(s, "o", &params));
  if (pipeline_id.has_value()) {
    sql += " AND o.pipeline_id = ?";
    params.push_back(*pipeline_id);
  }
  sql += " GROUP BY raw, o.currency";
  std::vector<WonCell> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows) {
      out.push_back(
          {r.String("raw"), r.String("currency"), r.Int("n"), r.Int("amount")});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<AccountStage>> ReportStore::AccountStages(
    int64_t pipeline_id, const ReportScope& s, int cap) {
  std::vector<db::Param> params = {pipeline_id};
  const std::string sql = absl::StrCat(
      "SELECT o.account_id, MAX(o.stage_pos) AS stage FROM opportunities o "
      "WHERE o.pipeline_id = ? AND o.status = 1 AND ",
      ScopeSql(s, "o", &params),
      " GROUP BY o.account_id ORDER BY o.account_id LIMIT ?");
  params.push_back(cap);
  std::vector<AccountStage> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
    out.clear();
    for (const db::Row& r : rows)
      out.push_back({r.Int("account_id"), static_cast<int>(r.Int("stage"))});
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace crm::opportunities
