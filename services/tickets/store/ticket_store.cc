#include "services/tickets/store/ticket_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"
#include "services/tickets/domain/status_rules.h"

namespace crm::tickets::ticket_store {
namespace {

constexpr char kColumns[] =
    "id, type_key, priority, account_id, contract_id, product_id, product_sku, "
    "title, "
    "description, channel, status, assignee_id, group_id, group_org_path, "
    "creator_id, billable, billable_reason, fields_json, attachments_json, "
    "first_response_budget_s, resolution_budget_s, paused_s, paused_since, "
    "first_response_at, resolved_at, closed_at, breached, escalated, "
    "satisfaction, created_at, updated_at";

TicketRecord FromRow(const db::Row& row) {
  TicketRecord r;
  r.id = row.Int("id");
  r.type_key = row.String("type_key");
  r.priority = static_cast<int>(row.Int("priority"));
  r.account_id = row.Int("account_id");
  r.contract_id = row.Int("contract_id");
  r.product_id = row.Int("product_id");
  r.product_sku = row.String("product_sku");
  r.title = row.String("title");
  r.description = row.String("description");
  r.channel = static_cast<int>(row.Int("channel"));
  r.status = static_cast<int>(row.Int("status"));
  r.assignee_id = row.OptInt("assignee_id");
  r.group_id = row.Int("group_id");
  r.group_org_path = row.String("group_org_path");
  r.creator_id = row.Int("creator_id");
  r.billable = row.Bool("billable");
  r.billable_reason = row.String("billable_reason");
  r.fields_json = row.String("fields_json");
  r.attachments_json = row.String("attachments_json");
  r.first_response_budget_s = row.Int("first_response_budget_s");
  r.resolution_budget_s = row.Int("resolution_budget_s");
  r.paused_s = row.Int("paused_s");
  r.paused_since = row.OptTime("paused_since");
  r.first_response_at = row.OptTime("first_response_at");
  r.resolved_at = row.OptTime("resolved_at");
  r.closed_at = row.OptTime("closed_at");
  r.breached = row.Bool("breached");
  r.escalated = static_cast<int>(row.Int("escalated"));
  r.satisfaction = static_cast<int>(row.Int("satisfaction"));
  r.created_at = row.Time("created_at");
  r.updated_at = row.Time("updated_at");
  return r;
}

absl::StatusOr<std::vector<TicketRecord>> Select(
    db::Connection& c, const std::string& where_order,
    const std::vector<db::Param>& params) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat("SELECT ", kColumns,
                                        " FROM tickets WHERE ", where_order),
                           params));
  std::vector<TicketRecord> out;
  out.reserve(rows.size());
  for (const db::Row& row : rows) out.push_back(FromRow(row));
  return out;
}

// "(... OR ...)" for the caller's scope; params appended.
std::string ScopeSql(const Scope& s, std::vector<db::Param>* params) {
  if (s.all) return "TRUE";
  std::vector<std::string> parts;
  if (!s.org_prefix.empty()) {
    parts.push_back("group_org_path LIKE ?");
    params->push_back(absl::StrCat(auth::EscapeLike(s.org_prefix), "%"));
  }
  parts.push_back("assignee_id = ?");
  params->push_back(s.user_id);
  parts.push_back("creator_id = ?");
  params->push_back(s.user_id);
  if (!s.pool_groups.empty()) {
    std::vector<std::string> marks(s.pool_groups.size(), "?");
    parts.push_back(absl::StrCat("(assignee_id IS NULL AND group_id IN (",
                                 absl::StrJoin(marks, ","), "))"));
    for (int64_t g : s.pool_groups) params->push_back(g);
  }
  return absl::StrCat("(", absl::StrJoin(parts, " OR "), ")");
}

}  // namespace

absl::StatusOr<TicketRecord> Get(db::Connection& c, int64_t id,
                                 bool for_update) {
  ASSIGN_OR_RETURN(
      std::vector<TicketRecord> rows,
      Select(c, for_update ? "id = ? FOR UPDATE" : "id = ?", {id}));
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat("ticket ", id, " not found"));
  }
  return rows.front();
}

absl::StatusOr<std::optional<int64_t>> FindByRequestKey(
    db::Connection& c, const std::string& key) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id FROM tickets WHERE request_key = ?", {key}));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.front().Int("id"));
}

absl::StatusOr<int64_t> Insert(db::Connection& c, const TicketRecord& r,
                               const std::string& request_key) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO tickets (request_key, type_key, priority, "
             "account_id, contract_id, product_id, product_sku, title, "
             "description, "
             "channel, status, assignee_id, group_id, group_org_path, "
             "creator_id, billable, billable_reason, fields_json, "
             "attachments_json, first_response_budget_s, "
             "resolution_budget_s, created_at, updated_at) VALUES "
             "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
             {request_key.empty() ? db::Param(nullptr) : db::Param(request_key),
              r.type_key,
              r.priority,
              r.account_id,
              r.contract_id,
              r.product_id,
              r.product_sku,
              r.title,
              r.description,
              r.channel,
              r.status,
              r.assignee_id,
              r.group_id,
              r.group_org_path,
              r.creator_id,
              r.billable,
              r.billable_reason,
              r.fields_json,
              r.attachments_json,
              r.first_response_budget_s,
              r.resolution_budget_s,
              r.created_at,
              r.updated_at})
          .status());
  return c.LastInsertId();
}

absl::Status UpdateState(db::Connection& c, const TicketRecord& r) {
  return c
      .Exec(
          "UPDATE tickets SET status = ?, assignee_id = ?, paused_s = ?, "
          "paused_since = ?, first_response_at = ?, resolved_at = ?, "
          "closed_at = ?, breached = ?, satisfaction = ?, updated_at = ? "
          "WHERE id = ?",
          {r.status, r.assignee_id, r.paused_s, r.paused_since,
           r.first_response_at, r.resolved_at, r.closed_at, r.breached,
           r.satisfaction, r.updated_at, r.id})
      .status();
}

absl::StatusOr<bool> GrabIfUnassigned(db::Connection& c, int64_t id,
                                      int64_t agent_id, int assigned_status,
                                      int new_status, absl::Time now) {
  ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec("UPDATE tickets SET assignee_id = ?, status = ?, updated_at = ? "
             "WHERE id = ? AND assignee_id IS NULL AND status = ?",
             {agent_id, assigned_status, now, id, new_status}));
  return n == 1;
}

absl::StatusOr<bool> MarkEscalated(db::Connection& c, int64_t id, int check_bit,
                                   int bits, bool breached, absl::Time now) {
  ASSIGN_OR_RETURN(int64_t n,
                   c.Exec("UPDATE tickets SET escalated = escalated | ?, "
                          "breached = GREATEST(breached, ?), updated_at = ? "
                          "WHERE id = ? AND (escalated & ?) = 0",
                          {bits, breached, now, id, check_bit}));
  return n == 1;
}

absl::StatusOr<std::vector<TicketRecord>> List(db::Connection& c,
                                               const Scope& scope,
                                               const ListFilter& f) {
  std::vector<db::Param> params;
  std::string where = ScopeSql(scope, &params);
  auto add = [&](const std::string& cond, db::Param p) {
    absl::StrAppend(&where, " AND ", cond);
    params.push_back(std::move(p));
  };
  add("id > ?", f.after_id);
  if (f.status != 0) add("status = ?", f.status);
  if (f.group_id != 0) add("group_id = ?", f.group_id);
  if (f.assignee_id != 0) add("assignee_id = ?", f.assignee_id);
  if (f.account_id != 0) add("account_id = ?", f.account_id);
  if (!f.type_key.empty()) add("type_key = ?", f.type_key);
  if (f.priority != 0) add("priority = ?", f.priority);
  if (f.breached_only) add("breached = ?", 1);
  if (f.unassigned_only) absl::StrAppend(&where, " AND assignee_id IS NULL");
  for (const auth::SqlPredicate& e : f.extra) {
    absl::StrAppend(&where, " AND (", e.sql, ")");
    params.insert(params.end(), e.params.begin(), e.params.end());
  }
  absl::StrAppend(&where, " ORDER BY id LIMIT ?");
  params.push_back(f.limit);
  return Select(c, where, params);
}

absl::StatusOr<std::vector<TicketRecord>> OpenBatch(db::Connection& c,
                                                    int64_t after_id,
                                                    int limit) {
  // status 5 = resolved, 6 = closed (TICKET_STATUS_* numbers).
  return Select(c, "status < 5 AND id > ? ORDER BY id LIMIT ?",
                {after_id, limit});
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> OpenLoads(
    db::Connection& c, int64_t group_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT a.user_id AS u, COUNT(t.id) AS n FROM group_agents a "
              "LEFT JOIN tickets t ON t.assignee_id = a.user_id AND "
              "t.status < 5 WHERE a.group_id = ? GROUP BY a.user_id",
              {group_id}));
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const db::Row& r : rows) out.emplace_back(r.Int("u"), r.Int("n"));
  return out;
}

absl::StatusOr<std::vector<TicketRecord>> CreatedBetween(db::Connection& c,
                                                         const Scope& scope,
                                                         absl::Time from,
                                                         absl::Time to) {
  std::vector<db::Param> params;
  std::string where = ScopeSql(scope, &params);
  absl::StrAppend(&where, " AND created_at >= ? AND created_at < ?");
  params.push_back(from);
  params.push_back(to);
  return Select(c, where, params);
}

absl::StatusOr<std::vector<int64_t>> OpenAssignedTo(db::Connection& c,
                                                    int64_t user_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id FROM tickets WHERE assignee_id = ? AND status "
              "BETWEEN ? AND ? ORDER BY id",
              {user_id, static_cast<int>(Status::kAssigned),
               static_cast<int>(Status::kWaitingOnCustomer)}));
  std::vector<int64_t> ids;
  for (const db::Row& r : rows) ids.push_back(r.Int("id"));
  return ids;
}

}  // namespace crm::tickets::ticket_store
