#include "services/orders/store/report_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"

namespace crm::orders::report_store {
namespace {

constexpr int kSigned = 5;

// "<alias>owner_id = ?" or "<alias>owner_org_path LIKE ?", AND the
// viewer's scope.
void SubjectWhere(const Subject& s, const std::string& alias, std::string* sql,
                  std::vector<db::Param>* params) {
  const std::string id_col = alias + "owner_id";
  const std::string path_col = alias + "owner_org_path";
  if (s.user_id > 0) {
    absl::StrAppend(sql, " AND ", id_col, " = ?");
    params->push_back(s.user_id);
  } else {
    absl::StrAppend(sql, " AND ", path_col, " LIKE ?");
    params->push_back(auth::EscapeLike(s.org_path) + "%");
  }
  auth::SqlPredicate scope =
      auth::DataScopePredicate(s.viewer, id_col, path_col);
  absl::StrAppend(sql, " AND (", scope.sql, ")");
  params->insert(params->end(), scope.params.begin(), scope.params.end());
}

absl::StatusOr<std::vector<Leaderboards::OwnerTotal>> Totals(
    db::Connection& c, const std::string& sql,
    const std::vector<db::Param>& params) {
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
  std::vector<Leaderboards::OwnerTotal> out;
  for (const db::Row& r : rows) {
    out.push_back(
        {r.Int("owner_id"), r.String("owner_org_path"), r.Int("total")});
  }
  return out;
}

absl::CivilDay Day(const db::Row& row, std::string_view col) {
  absl::StatusOr<absl::CivilDay> d = ParseDate(col, row.String(col));
  return d.ok() ? *d : absl::CivilDay(1970, 1, 1);
}

TargetRow TargetFromRow(const db::Row& r) {
  TargetRow t;
  t.id = r.Int("id");
  t.user_id = r.Int("user_id");
  t.org_path = r.String("org_path");
  t.period = r.String("period");
  t.metric = static_cast<int>(r.Int("metric"));
  t.value = r.Int("value");
  t.user_org_path = r.String("user_org_path");
  return t;
}

}  // namespace

absl::StatusOr<std::vector<Leaderboards::OwnerTotal>> SignedByOwner(
    db::Connection& c, absl::Time start, absl::Time end) {
  return Totals(c,
                "SELECT owner_id, owner_org_path, SUM(amount_minor) AS total "
                "FROM contracts WHERE status = 5 AND signed_at >= ? AND "
                "signed_at < ? GROUP BY owner_id, owner_org_path",
                {start, end});
}

absl::StatusOr<std::vector<Leaderboards::OwnerTotal>> ReceivedByOwner(
    db::Connection& c, absl::CivilDay first, absl::CivilDay end) {
  return Totals(c,
                "SELECT owner_id, owner_org_path, SUM(amount_minor) AS total "
                "FROM payments WHERE received_date >= ? AND received_date < ? "
                "GROUP BY owner_id, owner_org_path",
                {FormatDate(first), FormatDate(end)});
}

absl::StatusOr<Signed> SumSigned(db::Connection& c, const Subject& s,
                                 absl::Time start, absl::Time end, int type) {
  std::string sql =
      "SELECT COALESCE(SUM(amount_minor), 0) AS total, COUNT(*) AS n, "
      "COUNT(DISTINCT account_id) AS customers FROM contracts WHERE status = "
      "5 AND signed_at >= ? AND signed_at < ?";
  std::vector<db::Param> params = {start, end};
  if (type > 0) {
    sql += " AND contract_type = ?";
    params.push_back(type);
  }
  SubjectWhere(s, "", &sql, &params);
  ASSIGN_OR_RETURN(db::Row r, c.QueryOne(sql, params, "signed totals"));
  return Signed{r.Int("total"), r.Int("n"), r.Int("customers")};
}

absl::StatusOr<SignedBreakdown> SumSignedByType(db::Connection& c,
                                                const Subject& s,
                                                absl::Time start,
                                                absl::Time end) {
  std::string sql =
      "SELECT COALESCE(SUM(amount_minor), 0) AS total, COUNT(*) AS n, "
      "COUNT(DISTINCT account_id) AS customers, "
      "COALESCE(SUM(IF(contract_type = 1, amount_minor, 0)), 0) AS new_total, "
      "COALESCE(SUM(contract_type = 1), 0) AS new_n, "
      "COUNT(DISTINCT IF(contract_type = 1, account_id, NULL)) AS new_cust, "
      "COALESCE(SUM(IF(contract_type = 2, amount_minor, 0)), 0) AS ren_total, "
      "COALESCE(SUM(contract_type = 2), 0) AS ren_n, "
      "COUNT(DISTINCT IF(contract_type = 2, account_id, NULL)) AS ren_cust "
      "FROM contracts WHERE status = 5 AND signed_at >= ? AND signed_at < ?";
  std::vector<db::Param> params = {start, end};
  SubjectWhere(s, "", &sql, &params);
  ASSIGN_OR_RETURN(db::Row r, c.QueryOne(sql, params, "signed totals"));
  SignedBreakdown b;
  b.all = {r.Int("total"), r.Int("n"), r.Int("customers")};
  b.fresh = {r.Int("new_total"), r.Int("new_n"), r.Int("new_cust")};
  b.renewal = {r.Int("ren_total"), r.Int("ren_n"), r.Int("ren_cust")};
  return b;
}

absl::StatusOr<int64_t> SumReceived(db::Connection& c, const Subject& s,
                                    absl::CivilDay first, absl::CivilDay end) {
  std::string sql =
      "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM payments WHERE "
      "received_date >= ? AND received_date < ?";
  std::vector<db::Param> params = {FormatDate(first), FormatDate(end)};
  SubjectWhere(s, "", &sql, &params);
  ASSIGN_OR_RETURN(db::Row r, c.QueryOne(sql, params, "received totals"));
  return r.Int("total");
}

absl::StatusOr<Renewals> RenewalsDue(db::Connection& c, const Subject& s,
                                     absl::CivilDay first, absl::CivilDay end) {
  std::string sql =
      "SELECT COUNT(*) AS due, COALESCE(SUM(EXISTS (SELECT 1 FROM contracts r "
      "WHERE r.predecessor_contract_id = c.id AND r.status = 5)), 0) AS done "
      "FROM contracts c WHERE c.status = 5 AND c.end_date >= ? AND c.end_date "
      "< ?";
  std::vector<db::Param> params = {FormatDate(first), FormatDate(end)};
  SubjectWhere(s, "c.", &sql, &params);
  ASSIGN_OR_RETURN(db::Row r, c.QueryOne(sql, params, "renewals"));
  return Renewals{r.Int("due"), r.Int("done")};
}

absl::StatusOr<Overdue> OverdueTotals(db::Connection& c, const Subject& s,
                                      absl::CivilDay as_of) {
  std::string sql =
      "SELECT COALESCE(SUM(amount_minor - paid_minor), 0) AS outstanding, "
      "COUNT(*) AS n FROM installments WHERE signed = 1 AND open_due < ?";
  std::vector<db::Param> params = {FormatDate(as_of)};
  SubjectWhere(s, "", &sql, &params);
  ASSIGN_OR_RETURN(db::Row r, c.QueryOne(sql, params, "overdue totals"));
  return Overdue{r.Int("outstanding"), r.Int("n")};
}

absl::StatusOr<std::vector<RenewalCandidate>> RenewalCandidates(
    db::Connection& c, const auth::Principal& viewer, absl::CivilDay from,
    absl::CivilDay until, absl::Time since, bool key_accounts_only, int limit) {
  auth::SqlPredicate scope =
      auth::DataScopePredicate(viewer, "c.owner_id", "c.owner_org_path");
  std::string sql = absl::StrCat(
      "SELECT c.account_id, MAX(c.customer_type) AS customer_type, "
      "MIN(c.end_date) AS end_date, "
      "CAST(SUBSTRING_INDEX(GROUP_CONCAT(c.id ORDER BY c.end_date, c.id), "
      "',', 1) AS SIGNED) AS contract_id, "
      "CAST(SUBSTRING_INDEX(GROUP_CONCAT(c.owner_id ORDER BY c.end_date, "
      "c.id), ',', 1) AS SIGNED) AS owner_id, "
      "(SELECT COALESCE(SUM(s.amount_minor), 0) FROM contracts s WHERE "
      "s.account_id = c.account_id AND s.status = 5 AND s.signed_at >= ?) AS "
      "total "
      "FROM contracts c WHERE c.status = 5 AND c.end_date >= ? AND c.end_date "
      "< ? AND (",
      scope.sql,
      ") AND NOT EXISTS (SELECT 1 FROM contracts r WHERE "
      "r.predecessor_contract_id = c.id AND r.status = 5)");
  std::vector<db::Param> params = {since, FormatDate(from), FormatDate(until)};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  if (key_accounts_only) sql += " AND c.customer_type = 2";
  sql += " GROUP BY c.account_id ORDER BY total DESC, c.account_id LIMIT ?";
  params.push_back(limit);
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
  std::vector<RenewalCandidate> out;
  for (const db::Row& r : rows) {
    RenewalCandidate rc;
    rc.account_id = r.Int("account_id");
    rc.customer_type = static_cast<int>(r.Int("customer_type"));
    rc.owner_id = r.Int("owner_id");
    rc.contract_id = r.Int("contract_id");
    rc.end_date = Day(r, "end_date");
    rc.signed_recent_minor = r.Int("total");
    out.push_back(rc);
  }
  return out;
}

absl::StatusOr<TargetRow> UpsertTarget(db::Connection& c, const TargetRow& t,
                                       int64_t actor, absl::Time now) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO targets (user_id, org_path, period, metric, value, "
             "set_by, updated_at, user_org_path) VALUES (?, ?, ?, ?, ?, ?, ?, "
             "?) ON DUPLICATE KEY UPDATE value = VALUES(value), set_by = "
             "VALUES(set_by), updated_at = VALUES(updated_at), user_org_path "
             "= VALUES(user_org_path)",
             {t.user_id, t.org_path, t.period, t.metric, t.value, actor, now,
              t.user_org_path})
          .status());
  ASSIGN_OR_RETURN(std::optional<TargetRow> row,
                   GetTarget(c, t.user_id, t.org_path, t.period, t.metric));
  if (!row.has_value()) return absl::InternalError("target vanished");
  return *row;
}

absl::StatusOr<std::optional<TargetRow>> GetTarget(db::Connection& c,
                                                   int64_t user_id,
                                                   const std::string& org_path,
                                                   const std::string& period,
                                                   int metric) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(
          "SELECT id, user_id, org_path, period, metric, value, user_org_path "
          "FROM "
          "targets WHERE user_id = ? AND org_path = ? AND period = ? AND "
          "metric = ?",
          {user_id, org_path, period, metric}));
  if (rows.empty()) return std::nullopt;
  return TargetFromRow(rows.front());
}

absl::StatusOr<std::vector<TargetRow>> ListTargets(
    db::Connection& c, const std::string& period, const std::string& org_path) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(
          "SELECT id, user_id, org_path, period, metric, value, user_org_path "
          "FROM "
          "targets WHERE period = ? AND org_path LIKE ? ORDER BY org_path, "
          "user_id, metric",
          {period, auth::EscapeLike(org_path) + "%"}));
  std::vector<TargetRow> out;
  for (const db::Row& r : rows) out.push_back(TargetFromRow(r));
  return out;
}

absl::StatusOr<std::vector<TargetRow>> ListUserTargets(
    db::Connection& c, const std::string& period, const std::string& org_path) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id, user_id, org_path, period, metric, value, "
              "user_org_path FROM targets WHERE period = ? AND user_id > 0 AND "
              "(user_org_path LIKE ? OR user_org_path = '') ORDER BY user_id, "
              "metric",
              {period, auth::EscapeLike(org_path) + "%"}));
  std::vector<TargetRow> out;
  for (const db::Row& r : rows) out.push_back(TargetFromRow(r));
  return out;
}

}  // namespace crm::orders::report_store
