#include "services/orders/store/invoice_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::orders::invoice_store {
namespace {

constexpr char kSelect[] =
    "SELECT id, contract_id, amount_minor, status, invoice_number, "
    "requested_by, created_at FROM invoices ";

InvoiceRecord FromRow(const db::Row& r) {
  InvoiceRecord i;
  i.id = r.Int("id");
  i.contract_id = r.Int("contract_id");
  i.amount_minor = r.Int("amount_minor");
  i.status = static_cast<InvoiceStatus>(r.Int("status"));
  i.invoice_number = r.String("invoice_number");
  i.requested_by = r.Int("requested_by");
  i.created_at = r.Time("created_at");
  return i;
}

}  // namespace

absl::StatusOr<InvoiceRecord> Get(db::Connection& c, int64_t id,
                                  bool for_update) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat(kSelect, "WHERE id = ?",
                                        for_update ? " FOR UPDATE" : ""),
                           {id}));
  if (rows.empty())
    return absl::NotFoundError(absl::StrCat("invoice ", id, " not found"));
  return FromRow(rows.front());
}

absl::StatusOr<std::optional<int64_t>> FindByRequestKey(
    db::Connection& c, const std::string& key) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id FROM invoices WHERE request_id = ?", {key}));
  if (rows.empty()) return std::nullopt;
  return rows.front().Int("id");
}

absl::StatusOr<int64_t> InvoicedTotal(db::Connection& c, int64_t contract_id) {
  ASSIGN_OR_RETURN(db::Row r,
                   c.QueryOne("SELECT COALESCE(SUM(amount_minor), 0) AS total "
                              "FROM invoices WHERE contract_id = ? AND status "
                              "IN (1, 2)",
                              {contract_id}, "invoiced total"));
  return r.Int("total");
}

absl::StatusOr<int64_t> Insert(db::Connection& c, const InvoiceRecord& r,
                               const std::string& request_key, absl::Time now) {
  std::optional<std::string> key;
  if (!request_key.empty()) key = request_key;
  RETURN_IF_ERROR(c.Exec("INSERT INTO invoices (contract_id, request_id, "
                         "amount_minor, status, requested_by, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         {r.contract_id, key, r.amount_minor,
                          static_cast<int>(r.status), r.requested_by, now, now})
                      .status());
  return c.LastInsertId();
}

absl::Status SetStatus(db::Connection& c, int64_t id, InvoiceStatus status,
                       const std::string& number, const std::string& reason,
                       absl::Time now) {
  return c
      .Exec(
          "UPDATE invoices SET status = ?, invoice_number = IF(? = '', "
          "invoice_number, ?), void_reason = ?, updated_at = ? WHERE id = ?",
          {static_cast<int>(status), number, number, reason, now, id})
      .status();
}

absl::StatusOr<std::vector<InvoiceRecord>> ListByContract(db::Connection& c,
                                                          int64_t contract_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat(kSelect, "WHERE contract_id = ? ORDER BY id"),
              {contract_id}));
  std::vector<InvoiceRecord> out;
  for (const db::Row& r : rows) out.push_back(FromRow(r));
  return out;
}

}  // namespace crm::orders::invoice_store
