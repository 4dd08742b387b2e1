#include "services/tickets/store/ticket_audit.h"

#include "absl/strings/str_split.h"
#include "common/audit/audit.h"
#include "common/status/status.h"

namespace crm::tickets {

absl::Status AuditTicket(db::Connection& c, const HistoryRecord& h) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT assignee_id, group_org_path FROM tickets"
                           " WHERE id = ?",
                           {h.ticket_id}));
  audit::AuditEntry e;
  e.entity_type = "ticket";
  e.entity_id = std::to_string(h.ticket_id);
  e.action = h.action.empty() ? "update" : h.action.substr(0, 32);
  e.actor_id = h.actor_id;
  e.at = h.created_at;
  e.note = h.detail;
  if (!rows.empty()) {
    e.owner_id = rows.front().OptInt("assignee_id").value_or(0);
    e.owner_org_path = rows.front().String("group_org_path");
  }
  // "OPEN -> IN_PROGRESS[: comment]" and "grab: 0 -> 7" name a field change.
  if (h.action == "status" || h.action == "reopened" ||
      h.action == "assigned") {
    std::string detail = h.detail;
    if (h.action == "assigned") {
      if (size_t colon = detail.find(": "); colon != std::string::npos)
        detail = detail.substr(colon + 2);
    } else if (size_t colon = detail.find(": "); colon != std::string::npos) {
      detail = detail.substr(0, colon);
    }
    std::vector<std::string> parts = absl::StrSplit(detail, " -> ");
    if (parts.size() == 2) {
      e.changes.push_back({h.action == "assigned" ? "assignee_id" : "status",
                           parts[0], parts[1]});
    }
  }
  return audit::Append(c, std::move(e));
}

}  // namespace crm::tickets
