// GetTicket, ListTickets, ListComments, ListTicketHistory.
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/store/history_store.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {

grpc::Status TicketsServiceImpl::GetTicket(grpc::ServerContext* ctx,
                                           const pb::GetTicketRequest* req,
                                           pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord r, VisibleTicket(*conn, p, req->id()));
    return Render(*conn, p, r, resp);
  });
}

grpc::Status TicketsServiceImpl::ListTickets(grpc::ServerContext* ctx,
                                             const pb::ListTicketsRequest* req,
                                             pb::ListTicketsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ticket_store::ListFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(), 50, 200));
    ASSIGN_OR_RETURN(f.after_id,
                     paging::DecodePageToken("tickets", req->page_token()));
    if (!pb::TicketStatus_IsValid(req->status())) {
      return InvalidField("status", "unknown status");
    }
    if (!pb::Priority_IsValid(req->priority())) {
      return InvalidField("priority", "unknown priority");
    }
    if (req->group_id() < 0 || req->assignee_id() < 0 ||
        req->account_id() < 0) {
      return InvalidField("group_id/assignee_id/account_id",
                          "must not be negative");
    }
    if (req->unassigned_only() && req->assignee_id() != 0) {
      return InvalidField("unassigned_only",
                          "cannot be combined with assignee_id");
    }
    f.status = req->status();
    f.group_id = req->group_id();
    f.assignee_id = req->assignee_id();
    f.account_id = req->account_id();
    f.type_key = req->type_key();
    f.priority = req->priority();
    f.breached_only = req->breached_only();
    f.unassigned_only = req->unassigned_only();
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf,
                     fields.LoadOn(*conn, "ticket"));
    ASSIGN_OR_RETURN(f.extra, cf.Filters({req->custom_field_filter().begin(),
                                          req->custom_field_filter().end()},
                                         "tickets.id"));
    ASSIGN_OR_RETURN(ticket_store::Scope scope, ScopeOf(*conn, p));
    ASSIGN_OR_RETURN(std::vector<TicketRecord> rows,
                     ticket_store::List(*conn, scope, f));
    ASSIGN_OR_RETURN(auto types, config_store::AllTypes(*conn));
    const absl::Time now = clock_->Now();
    for (const TicketRecord& r : rows) {
      Hours hours;
      auto it = types.find(r.type_key);
      if (it != types.end()) {
        ASSIGN_OR_RETURN(pb::TicketType t, TypeFromJson(it->second));
        hours = HoursOf(t);
      }
      ToProto(r, hours, now, resp->add_tickets());
    }
    std::vector<std::pair<int64_t, google::protobuf::Message*>> items;
    for (pb::Ticket& out : *resp->mutable_tickets())
      items.push_back({out.id(), &out});
    RETURN_IF_ERROR(fields.PresentManyOn(*conn, cf, p, items));
    resp->set_next_page_token(paging::NextPageToken("tickets", rows, f.limit));
    return absl::OkStatus();
  });
}

grpc::Status TicketsServiceImpl::ListComments(
    grpc::ServerContext* ctx, const pb::ListCommentsRequest* req,
    pb::ListCommentsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord r, VisibleTicket(*conn, p, req->ticket_id()));
    ASSIGN_OR_RETURN(std::vector<CommentRecord> rows,
                     history_store::Comments(*conn, r.id));
    // Internal comments are for support staff: requesters (sales reps,
    // customers through the gateway, ...) see the customer-visible ones
    // and their own.
    const bool staff =
        p.IsAdmin() || p.IsService() || p.HasRole(auth::kRoleSupportAgent) ||
        p.HasRole(auth::kRoleSupportManager) || p.HasRole(auth::kRoleBoss);
    for (const CommentRecord& c : rows) {
      if (staff || c.customer_visible || c.author_id == p.user_id) {
        ToProto(c, resp->add_comments());
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status TicketsServiceImpl::ListTicketHistory(
    grpc::ServerContext* ctx, const pb::ListTicketHistoryRequest* req,
    pb::ListTicketHistoryResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord r, VisibleTicket(*conn, p, req->ticket_id()));
    ASSIGN_OR_RETURN(std::vector<HistoryRecord> rows,
                     history_store::List(*conn, r.id));
    for (const HistoryRecord& h : rows) ToProto(h, resp->add_entries());
    return absl::OkStatus();
  });
}

}  // namespace crm::tickets
