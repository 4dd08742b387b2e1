#include "services/orders/store/quote_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"

namespace crm::orders::quote_store {
namespace {

constexpr char kColumns[] =
    "id, account_id, opportunity_id, owner_id, owner_org_path, region_code, "
    "list_total_minor, total_minor, max_discount_bp, status, decided_by, "
    "decision_comment, created_at";

QuoteRecord FromRow(const db::Row& r) {
  QuoteRecord q;
  q.id = r.Int("id");
  q.account_id = r.Int("account_id");
  q.opportunity_id = r.Int("opportunity_id");
  q.owner_id = r.Int("owner_id");
  q.owner_org_path = r.String("owner_org_path");
  q.region_code = r.String("region_code");
  q.list_total_minor = r.Int("list_total_minor");
  q.total_minor = r.Int("total_minor");
  q.max_discount_bp = static_cast<int>(r.Int("max_discount_bp"));
  q.status = static_cast<QuoteStatus>(r.Int("status"));
  q.decided_by = r.Int("decided_by");
  q.decision_comment = r.String("decision_comment");
  q.created_at = r.Time("created_at");
  return q;
}

absl::Status LoadLines(db::Connection& c, QuoteRecord* q) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT product_id, quantity, discount_bp, unit_price_minor, "
              "net_minor FROM quote_lines WHERE quote_id = ? ORDER BY seq",
              {q->id}));
  for (const db::Row& r : rows) {
    q->lines.push_back({r.Int("product_id"), r.Int("quantity"),
                        static_cast<int>(r.Int("discount_bp")),
                        r.Int("unit_price_minor"), r.Int("net_minor")});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QuoteRecord> Get(db::Connection& c, int64_t id,
                                bool for_update) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat("SELECT ", kColumns, " FROM quotes WHERE id = ?",
                           for_update ? " FOR UPDATE" : ""),
              {id}));
  if (rows.empty())
    return absl::NotFoundError(absl::StrCat("quote ", id, " not found"));
  QuoteRecord q = FromRow(rows.front());
  RETURN_IF_ERROR(LoadLines(c, &q));
  return q;
}

absl::StatusOr<std::optional<int64_t>> FindByRequestKey(
    db::Connection& c, const std::string& key) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id FROM quotes WHERE request_id = ?", {key}));
  if (rows.empty()) return std::nullopt;
  return rows.front().Int("id");
}

absl::StatusOr<int64_t> Insert(db::Connection& c, const QuoteRecord& q,
                               const std::string& request_key, absl::Time now) {
  std::optional<std::string> key;
  if (!request_key.empty()) key = request_key;
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO quotes (request_id, account_id, opportunity_id, "
             "owner_id, owner_org_path, region_code, list_total_minor, "
             "total_minor, max_discount_bp, status, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {key, q.account_id, q.opportunity_id, q.owner_id, q.owner_org_path,
              q.region_code, q.list_total_minor, q.total_minor,
              q.max_discount_bp, static_cast<int>(q.status), now, now})
          .status());
  ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
  for (size_t i = 0; i < q.lines.size(); ++i) {
    const QuoteLineRecord& l = q.lines[i];
    RETURN_IF_ERROR(
        c.Exec("INSERT INTO quote_lines (quote_id, seq, product_id, "
               "quantity, discount_bp, unit_price_minor, net_minor) VALUES "
               "(?, ?, ?, ?, ?, ?, ?)",
               {id, static_cast<int64_t>(i), l.product_id, l.quantity,
                l.discount_bp, l.unit_price_minor, l.net_minor})
            .status());
  }
  return id;
}

absl::Status Decide(db::Connection& c, const QuoteRecord& q, absl::Time now) {
  return c
      .Exec(
          "UPDATE quotes SET status = ?, decided_by = ?, decision_comment "
          "= ?, updated_at = ? WHERE id = ?",
          {static_cast<int>(q.status), q.decided_by, q.decision_comment, now,
           q.id})
      .status();
}

absl::StatusOr<std::vector<QuoteRecord>> List(db::Connection& c,
                                              const auth::Principal& p,
                                              int64_t after_id, int limit,
                                              int64_t account_id, int status) {
  auth::SqlPredicate scope = auth::DataScopePredicate(p);
  std::string sql = absl::StrCat(
      "SELECT ", kColumns, " FROM quotes WHERE id > ? AND (", scope.sql, ")");
  std::vector<db::Param> params = {after_id};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  if (account_id > 0) {
    sql += " AND account_id = ?";
    params.push_back(account_id);
  }
  if (status > 0) {
    sql += " AND status = ?";
    params.push_back(status);
  }
  sql += " ORDER BY id LIMIT ?";
  params.push_back(limit);
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
  std::vector<QuoteRecord> out;
  for (const db::Row& r : rows) {
    out.push_back(FromRow(r));
    RETURN_IF_ERROR(LoadLines(c, &out.back()));
  }
  return out;
}

}  // namespace crm::orders::quote_store
