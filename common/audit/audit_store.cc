#include "common/audit/audit_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"

namespace crm::audit {

absl::StatusOr<std::vector<AuditEntry>> QueryAudit(
    db::Connection& conn, const AuditQuery& q, const auth::Principal& viewer) {
  if (viewer.scope == auth::DataScope::kSelf) {
    return absl::PermissionDeniedError(
        "only admins and managers may read the audit log");
  }
  std::string sql =
      "SELECT id, entity_type, entity_id, action, actor_id, actor_service,"
      " request_id, at, owner_id, owner_org_path, changes, note"
      " FROM audit_log WHERE ";
  std::vector<db::Param> params;
  if (q.actor_id.has_value()) {
    sql += "actor_id = ?";
    params.push_back(*q.actor_id);
  } else {
    sql += "entity_type = ? AND entity_id = ?";
    params.push_back(q.entity_type);
    params.push_back(q.entity_id);
  }
  if (q.before_id > 0) {
    sql += " AND id < ?";
    params.push_back(q.before_id);
  }
  auth::SqlPredicate scope = auth::DataScopePredicate(viewer);
  absl::StrAppend(&sql, " AND (", scope.sql, ") ORDER BY id DESC LIMIT ?");
  for (db::Param& p : scope.params) params.push_back(std::move(p));
  params.push_back(q.limit);
  ASSIGN_OR_RETURN(db::Rows rows, conn.Query(sql, params));
  std::vector<AuditEntry> out;
  out.reserve(rows.size());
  for (const db::Row& r : rows) {
    AuditEntry e;
    e.id = r.Int("id");
    e.entity_type = r.String("entity_type");
    e.entity_id = r.String("entity_id");
    e.action = r.String("action");
    e.actor_id = r.Int("actor_id");
    e.actor_service = r.String("actor_service");
    e.request_id = r.String("request_id");
    e.at = r.Time("at");
    e.owner_id = r.Int("owner_id");
    e.owner_org_path = r.String("owner_org_path");
    e.changes = ChangesFromJson(r.String("changes"));
    e.note = r.String("note");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace crm::audit
