#include "services/orders/store/payment_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"

namespace crm::orders::payment_store {
namespace {

absl::CivilDay Day(const db::Row& row, std::string_view col) {
  absl::StatusOr<absl::CivilDay> d = ParseDate(col, row.String(col));
  return d.ok() ? *d : absl::CivilDay(1970, 1, 1);
}

constexpr char kPaymentColumns[] =
    "id, contract_id, reference, amount_minor, received_date, method, reason, "
    "owner_id, owner_org_path, recorded_by, created_at";

absl::StatusOr<PaymentRecord> FromRow(db::Connection& c, const db::Row& row) {
  PaymentRecord p;
  p.id = row.Int("id");
  p.contract_id = row.Int("contract_id");
  p.reference = row.String("reference");
  p.amount_minor = row.Int("amount_minor");
  p.received_date = Day(row, "received_date");
  p.method = row.String("method");
  p.reason = row.String("reason");
  p.owner_id = row.Int("owner_id");
  p.owner_org_path = row.String("owner_org_path");
  p.recorded_by = row.Int("recorded_by");
  p.created_at = row.Time("created_at");
  ASSIGN_OR_RETURN(db::Rows allocs,
                   c.Query("SELECT installment_id, seq, amount_minor FROM "
                           "payment_allocations WHERE payment_id = ? ORDER BY "
                           "seq",
                           {p.id}));
  for (const db::Row& a : allocs) {
    p.allocations.push_back({a.Int("installment_id"),
                             static_cast<int>(a.Int("seq")),
                             a.Int("amount_minor")});
  }
  return p;
}

constexpr char kCollectionSelect[] =
    "SELECT i.id AS installment_id, i.contract_id, i.seq, i.due_date, "
    "i.amount_minor, i.paid_minor, i.owner_id, i.owner_org_path, "
    "c.account_id FROM installments i JOIN contracts c ON c.id = "
    "i.contract_id ";

CollectionRecord CollectionFromRow(const db::Row& row) {
  CollectionRecord r;
  r.installment_id = row.Int("installment_id");
  r.contract_id = row.Int("contract_id");
  r.seq = static_cast<int>(row.Int("seq"));
  r.due_date = Day(row, "due_date");
  r.amount_minor = row.Int("amount_minor");
  r.paid_minor = row.Int("paid_minor");
  r.owner_id = row.Int("owner_id");
  r.owner_org_path = row.String("owner_org_path");
  r.account_id = row.Int("account_id");
  return r;
}

}  // namespace

absl::StatusOr<std::optional<PaymentRecord>> FindByReference(
    db::Connection& c, const std::string& reference) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat("SELECT ", kPaymentColumns,
                                        " FROM payments WHERE reference = ?"),
                           {reference}));
  if (rows.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(PaymentRecord p, FromRow(c, rows.front()));
  return p;
}

absl::StatusOr<int64_t> Insert(db::Connection& c, const PaymentRecord& p,
                               absl::Time now) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO payments (contract_id, reference, amount_minor, "
             "received_date, method, reason, owner_id, owner_org_path, "
             "recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {p.contract_id, p.reference, p.amount_minor,
              FormatDate(p.received_date), p.method, p.reason, p.owner_id,
              p.owner_org_path, p.recorded_by, now})
          .status());
  ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
  for (const AllocationRecord& a : p.allocations) {
    RETURN_IF_ERROR(c.Exec("INSERT INTO payment_allocations (payment_id, "
                           "installment_id, seq, amount_minor) VALUES (?, ?, "
                           "?, ?)",
                           {id, a.installment_id, a.seq, a.amount_minor})
                        .status());
    RETURN_IF_ERROR(
        c.Exec("UPDATE installments SET paid_minor = paid_minor + ?, overdue "
               "= IF(paid_minor >= amount_minor, 0, overdue) WHERE id = ?",
               {a.amount_minor, a.installment_id})
            .status());
  }
  RETURN_IF_ERROR(c.Exec("UPDATE contracts SET received_minor = "
                         "received_minor + ?, updated_at = ? WHERE id = ?",
                         {p.amount_minor, now, p.contract_id})
                      .status());
  return id;
}

absl::StatusOr<std::vector<PaymentRecord>> ListByContract(db::Connection& c,
                                                          int64_t contract_id,
                                                          int64_t after_id,
                                                          int limit) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat("SELECT ", kPaymentColumns,
                           " FROM payments WHERE contract_id = ? AND id > ? "
                           "ORDER BY id LIMIT ?"),
              {contract_id, after_id, limit}));
  std::vector<PaymentRecord> out;
  for (const db::Row& row : rows) {
    ASSIGN_OR_RETURN(PaymentRecord p, FromRow(c, row));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<CollectionRecord>> LockNewlyOverdue(
    db::Connection& c, absl::CivilDay as_of, int limit) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat(kCollectionSelect,
                           "WHERE i.signed = 1 AND i.overdue = 0 AND "
                           "i.due_date < ? AND i.paid_minor < i.amount_minor "
                           "ORDER BY i.id LIMIT ? FOR UPDATE"),
              {FormatDate(as_of), limit}));
  std::vector<CollectionRecord> out;
  for (const db::Row& row : rows) out.push_back(CollectionFromRow(row));
  return out;
}

absl::Status MarkOverdue(db::Connection& c, int64_t installment_id,
                         absl::CivilDay as_of) {
  return c
      .Exec(
          "UPDATE installments SET overdue = 1, overdue_since = ? WHERE id "
          "= ? AND overdue = 0",
          {FormatDate(as_of), installment_id})
      .status();
}

absl::StatusOr<std::vector<CollectionRecord>> PendingCollections(
    db::Connection& c, const auth::Principal& p, const CollectionFilter& f) {
  auth::SqlPredicate scope =
      auth::DataScopePredicate(p, "i.owner_id", "i.owner_org_path");
  std::string sql = absl::StrCat(
      kCollectionSelect,
      "WHERE i.overdue = 1 AND i.paid_minor < i.amount_minor AND i.id > ? "
      "AND (",
      scope.sql, ")");
  std::vector<db::Param> params = {f.after_id};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  if (f.owner_id > 0) {
    sql += " AND i.owner_id = ?";
    params.push_back(f.owner_id);
  }
  if (!f.org_path.empty()) {
    sql += " AND i.owner_org_path LIKE ?";
    params.push_back(auth::EscapeLike(f.org_path) + "%");
  }
  sql += " ORDER BY i.id LIMIT ?";
  params.push_back(f.limit);
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
  std::vector<CollectionRecord> out;
  for (const db::Row& row : rows) out.push_back(CollectionFromRow(row));
  return out;
}

}  // namespace crm::orders::payment_store
