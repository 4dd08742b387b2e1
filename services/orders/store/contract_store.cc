#include "services/orders/store/contract_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"
#include "services/orders/store/contract_audit.h"

namespace crm::orders::contract_store {
namespace {

constexpr char kColumns[] =
    "id, account_id, customer_type, owner_id, owner_org_path, title, "
    "amount_minor, currency, start_date, end_date, contract_type, "
    "predecessor_contract_id, opportunity_id, quote_id, status, "
    "approval_steps, current_step, approval_round, signed_at, received_minor, "
    "created_by, created_at, updated_at";

absl::CivilDay Day(const db::Row& row, std::string_view col) {
  absl::StatusOr<absl::CivilDay> d = ParseDate(col, row.String(col));
  return d.ok() ? *d : absl::CivilDay(1970, 1, 1);
}

ContractRecord FromRow(const db::Row& row) {
  ContractRecord r;
  r.id = row.Int("id");
  r.account_id = row.Int("account_id");
  r.customer_type = static_cast<int>(row.Int("customer_type"));
  r.owner_id = row.Int("owner_id");
  r.owner_org_path = row.String("owner_org_path");
  r.title = row.String("title");
  r.amount_minor = row.Int("amount_minor");
  r.currency = row.String("currency");
  r.start_date = Day(row, "start_date");
  r.end_date = Day(row, "end_date");
  r.type = static_cast<ContractType>(row.Int("contract_type"));
  r.predecessor_contract_id = row.Int("predecessor_contract_id");
  r.opportunity_id = row.Int("opportunity_id");
  r.quote_id = row.Int("quote_id");
  r.status = static_cast<ContractStatus>(row.Int("status"));
  r.approval_steps = row.String("approval_steps");
  r.current_step = static_cast<int>(row.Int("current_step"));
  r.approval_round = static_cast<int>(row.Int("approval_round"));
  r.signed_at = row.OptTime("signed_at");
  r.received_minor = row.Int("received_minor");
  r.created_by = row.Int("created_by");
  r.created_at = row.Time("created_at");
  r.updated_at = row.Time("updated_at");
  return r;
}

absl::Status LoadInstallments(db::Connection& c, ContractRecord* r) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id, seq, due_date, amount_minor, paid_minor, overdue "
              "FROM installments WHERE contract_id = ? ORDER BY seq",
              {r->id}));
  r->installments.clear();
  for (const db::Row& row : rows) {
    InstallmentRecord i;
    i.id = row.Int("id");
    i.contract_id = r->id;
    i.seq = static_cast<int>(row.Int("seq"));
    i.due_date = Day(row, "due_date");
    i.amount_minor = row.Int("amount_minor");
    i.paid_minor = row.Int("paid_minor");
    i.overdue = row.Bool("overdue");
    r->installments.push_back(i);
  }
  return absl::OkStatus();
}

absl::Status InsertInstallments(db::Connection& c, const ContractRecord& r,
                                int64_t id) {
  for (size_t i = 0; i < r.installments.size(); ++i) {
    RETURN_IF_ERROR(
        c.Exec("INSERT INTO installments (contract_id, seq, due_date, "
               "amount_minor) VALUES (?, ?, ?, ?)",
               {id, static_cast<int64_t>(i),
                FormatDate(r.installments[i].due_date),
                r.installments[i].amount_minor})
            .status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ContractRecord> Get(db::Connection& c, int64_t id,
                                   bool for_update) {
  const std::string sql =
      absl::StrCat("SELECT ", kColumns, " FROM contracts WHERE id = ?",
                   for_update ? " FOR UPDATE" : "");
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, {id}));
  if (rows.empty())
    return absl::NotFoundError(absl::StrCat("contract ", id, " not found"));
  ContractRecord r = FromRow(rows.front());
  RETURN_IF_ERROR(LoadInstallments(c, &r));
  return r;
}

absl::StatusOr<std::optional<int64_t>> FindByRequestKey(
    db::Connection& c, const std::string& key) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id FROM contracts WHERE request_id = ?", {key}));
  if (rows.empty()) return std::nullopt;
  return rows.front().Int("id");
}

absl::StatusOr<int64_t> Insert(db::Connection& c, const ContractRecord& r,
                               const std::string& request_key, absl::Time now) {
  std::optional<std::string> key;
  if (!request_key.empty()) key = request_key;
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO contracts (request_id, account_id, customer_type, "
             "owner_id, owner_org_path, title, amount_minor, currency, "
             "start_date, end_date, contract_type, predecessor_contract_id, "
             "opportunity_id, quote_id, status, created_by, created_at, "
             "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "?, ?, ?, ?)",
             {key, r.account_id, r.customer_type, r.owner_id, r.owner_org_path,
              r.title, r.amount_minor, r.currency, FormatDate(r.start_date),
              FormatDate(r.end_date), static_cast<int>(r.type),
              r.predecessor_contract_id, r.opportunity_id, r.quote_id,
              static_cast<int>(r.status), r.created_by, now, now})
          .status());
  ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
  RETURN_IF_ERROR(InsertInstallments(c, r, id));
  RETURN_IF_ERROR(AuditContract(c, nullptr, id, now));
  return id;
}

absl::Status UpdateDraft(db::Connection& c, const ContractRecord& r,
                         absl::Time now) {
  ASSIGN_OR_RETURN(const ContractRecord before, Get(c, r.id));
  RETURN_IF_ERROR(
      c.Exec("UPDATE contracts SET title = ?, amount_minor = ?, start_date = "
             "?, end_date = ?, updated_at = ? WHERE id = ?",
             {r.title, r.amount_minor, FormatDate(r.start_date),
              FormatDate(r.end_date), now, r.id})
          .status());
  RETURN_IF_ERROR(
      c.Exec("DELETE FROM installments WHERE contract_id = ?", {r.id})
          .status());
  RETURN_IF_ERROR(InsertInstallments(c, r, r.id));
  return AuditContract(c, &before, r.id, now);
}

absl::Status SetState(db::Connection& c, const ContractRecord& r,
                      absl::Time now) {
  ASSIGN_OR_RETURN(const ContractRecord before, Get(c, r.id));
  RETURN_IF_ERROR(
      c.Exec(
           "UPDATE contracts SET status = ?, approval_steps = ?, "
           "current_step = ?, approval_round = ?, updated_at = ? WHERE id = ?",
           {static_cast<int>(r.status), r.approval_steps, r.current_step,
            r.approval_round, now, r.id})
          .status());
  return AuditContract(c, &before, r.id, now);
}

absl::Status MarkSigned(db::Connection& c, const ContractRecord& r,
                        absl::Time at) {
  ASSIGN_OR_RETURN(const ContractRecord before, Get(c, r.id));
  RETURN_IF_ERROR(
      c.Exec("UPDATE contracts SET status = ?, signed_at = ?, "
             "updated_at = ? WHERE id = ?",
             {static_cast<int>(ContractStatus::kSigned), at, at, r.id})
          .status());
  RETURN_IF_ERROR(c.Exec("UPDATE installments SET signed = 1, owner_id = ?, "
                         "owner_org_path = ? WHERE contract_id = ?",
                         {r.owner_id, r.owner_org_path, r.id})
                      .status());
  return AuditContract(c, &before, r.id, at);
}

absl::StatusOr<std::vector<ContractRecord>> List(db::Connection& c,
                                                 const auth::Principal& p,
                                                 const ListFilter& f) {
  auth::SqlPredicate scope = auth::DataScopePredicate(p);
  std::string sql =
      absl::StrCat("SELECT ", kColumns, " FROM contracts WHERE id > ? AND (",
                   scope.sql, ")");
  std::vector<db::Param> params = {f.after_id};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  if (f.account_id > 0) {
    sql += " AND account_id = ?";
    params.push_back(f.account_id);
  }
  if (f.owner_id > 0) {
    sql += " AND owner_id = ?";
    params.push_back(f.owner_id);
  }
  if (f.status > 0) {
    sql += " AND status = ?";
    params.push_back(f.status);
  }
  for (const auth::SqlPredicate& e : f.extra) {
    absl::StrAppend(&sql, " AND (", e.sql, ")");
    params.insert(params.end(), e.params.begin(), e.params.end());
  }
  sql += " ORDER BY id LIMIT ?";
  params.push_back(f.limit);
  ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
  std::vector<ContractRecord> out;
  for (const db::Row& row : rows) {
    out.push_back(FromRow(row));
    RETURN_IF_ERROR(LoadInstallments(c, &out.back()));
  }
  return out;
}

absl::Status AddHistory(db::Connection& c, const ApprovalEntryRecord& e) {
  return c
      .Exec(
          "INSERT INTO approval_history (contract_id, round, step, role, "
          "action, actor_id, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, "
          "?, ?)",
          {e.contract_id, e.round, e.step, e.role, static_cast<int>(e.action),
           e.actor_id, e.comment, e.created_at})
      .status();
}

absl::StatusOr<std::vector<ApprovalEntryRecord>> History(db::Connection& c,
                                                         int64_t contract_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id, round, step, role, action, actor_id, comment, "
              "created_at FROM approval_history WHERE contract_id = ? ORDER "
              "BY id",
              {contract_id}));
  std::vector<ApprovalEntryRecord> out;
  for (const db::Row& row : rows) {
    ApprovalEntryRecord e;
    e.id = row.Int("id");
    e.contract_id = contract_id;
    e.round = static_cast<int>(row.Int("round"));
    e.step = static_cast<int>(row.Int("step"));
    e.role = row.String("role");
    e.action = static_cast<ApprovalAction>(row.Int("action"));
    e.actor_id = row.Int("actor_id");
    e.comment = row.String("comment");
    e.created_at = row.Time("created_at");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace crm::orders::contract_store
