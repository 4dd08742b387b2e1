#include "services/tickets/store/history_store.h"

#include "common/status/status.h"
#include "services/tickets/store/ticket_audit.h"

namespace crm::tickets::history_store {

absl::Status Append(db::Connection& c, const HistoryRecord& h) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO ticket_history (ticket_id, actor_id, action, detail, "
             "created_at) VALUES (?,?,?,?,?)",
             {h.ticket_id, h.actor_id, h.action, h.detail, h.created_at})
          .status());
  return AuditTicket(c, h);  // the audit log (issue 10)
}

absl::StatusOr<std::vector<HistoryRecord>> List(db::Connection& c,
                                                int64_t ticket_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id, ticket_id, actor_id, action, detail, created_at "
              "FROM ticket_history WHERE ticket_id = ? ORDER BY id",
              {ticket_id}));
  std::vector<HistoryRecord> out;
  for (const db::Row& r : rows) {
    out.push_back(HistoryRecord{r.Int("id"), r.Int("ticket_id"),
                                r.Int("actor_id"), r.String("action"),
                                r.String("detail"), r.Time("created_at")});
  }
  return out;
}

absl::StatusOr<int64_t> AddComment(db::Connection& c, const CommentRecord& r) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO ticket_comments (ticket_id, author_id, body, "
             "customer_visible, attachments_json, created_at) VALUES "
             "(?,?,?,?,?,?)",
             {r.ticket_id, r.author_id, r.body, r.customer_visible,
              r.attachments_json, r.created_at})
          .status());
  return c.LastInsertId();
}

absl::StatusOr<std::vector<CommentRecord>> Comments(db::Connection& c,
                                                    int64_t ticket_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id, ticket_id, author_id, body, customer_visible, "
              "attachments_json, created_at FROM ticket_comments WHERE "
              "ticket_id = ? ORDER BY id",
              {ticket_id}));
  std::vector<CommentRecord> out;
  for (const db::Row& r : rows) {
    out.push_back(
        CommentRecord{r.Int("id"), r.Int("ticket_id"), r.Int("author_id"),
                      r.String("body"), r.Bool("customer_visible"),
                      r.String("attachments_json"), r.Time("created_at")});
  }
  return out;
}

}  // namespace crm::tickets::history_store
