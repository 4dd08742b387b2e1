// ChangeStatus (with the SLA pause and first response), AddComment,
// RateTicket.
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "services/tickets/domain/sla_clock.h"
#include "services/tickets/domain/status_rules.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/store/history_store.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {

grpc::Status TicketsServiceImpl::ChangeStatus(
    grpc::ServerContext* ctx, const pb::ChangeStatusRequest* req,
    pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->status() <= 0 || !pb::TicketStatus_IsValid(req->status())) {
      return InvalidField("status", "must be a ticket status");
    }
    if (req->comment().size() > 1000) {
      return InvalidField("comment", "at most 1000 bytes");
    }
    const Status to = static_cast<Status>(req->status());
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(TicketRecord r,
                           VisibleTicket(c, p, req->id(), true));
          const Status from = static_cast<Status>(r.status);
          const bool worker =
              r.assignee_id == p.user_id || ManagesPath(p, r.group_org_path);
          const bool creator_move =
              r.creator_id == p.user_id &&
              (IsReopen(from, to) || to == Status::kClosed);
          if (!worker && !creator_move) {
            return absl::PermissionDeniedError(
                "only the assignee or a support manager of the group may "
                "change this ticket's status (the creator may close or "
                "reopen it)");
          }
          ASSIGN_OR_RETURN(std::string json,
                           config_store::GetType(c, r.type_key));
          ASSIGN_OR_RETURN(pb::TicketType type, TypeFromJson(json));
          const Hours hours = HoursOf(type);
          RETURN_IF_ERROR(CheckTransition(
              from, to, r.resolved_at.value_or(absl::InfinitePast()), now,
              type.reopen_days()));
          if (r.paused_since.has_value()) {
            r.paused_s += BusinessSeconds(hours, *r.paused_since, now);
            r.paused_since.reset();
          }
          if (IsReopen(from, to)) {
            // The time the ticket sat resolved does not count.
            r.paused_s += BusinessSeconds(hours, *r.resolved_at, now);
            r.resolved_at.reset();
            r.closed_at.reset();
          }
          if (to == Status::kWaitingOnCustomer) r.paused_since = now;
          if (!r.first_response_at.has_value() &&
              (to == Status::kInProgress || to == Status::kWaitingOnCustomer ||
               to == Status::kResolved)) {
            r.first_response_at = now;
          }
          if (to == Status::kResolved) r.resolved_at = now;
          if (to == Status::kClosed) r.closed_at = now;
          r.status = static_cast<int>(to);
          r.updated_at = now;
          RETURN_IF_ERROR(ticket_store::UpdateState(c, r));
          std::string detail =
              absl::StrCat(StatusName(from), " -> ", StatusName(to));
          if (!req->comment().empty()) {
            absl::StrAppend(&detail, ": ", req->comment());
          }
          RETURN_IF_ERROR(history_store::Append(
              c, {0, r.id, p.user_id,
                  IsReopen(from, to) ? "reopened" : "status", detail, now}));
          if (to == Status::kResolved) {
            nlohmann::json payload = {
                {"ticket_id", r.id},
                {"assignee_id", r.assignee_id.value_or(0)},
                {"group_id", r.group_id},
                {"account_id", r.account_id},
                {"type_key", r.type_key},
                {"breached", r.breached},
                {"resolved_at", absl::FormatTime(absl::RFC3339_sec, now,
                                                 absl::UTCTimeZone())}};
            RETURN_IF_ERROR(
                events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                       "TicketResolved", absl::StrCat(r.id),
                                       payload, now)
                    .status());
          }
          return absl::OkStatus();
        }));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*conn, req->id()));
    return Render(*conn, p, stored, resp);
  });
}

grpc::Status TicketsServiceImpl::AddComment(grpc::ServerContext* ctx,
                                            const pb::AddCommentRequest* req,
                                            pb::Comment* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->body().empty() || req->body().size() > 5000) {
      return InvalidField("body", "required, at most 5000 bytes");
    }
    ASSIGN_OR_RETURN(std::string attachments,
                     AttachmentsJson(req->attachments(), "attachments"));
    const absl::Time now = clock_->Now();
    CommentRecord cr{0,           req->ticket_id(),        p.user_id,
                     req->body(), req->customer_visible(), attachments,
                     now};
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(TicketRecord r,
                           VisibleTicket(c, p, req->ticket_id(), true));
          if (r.status == static_cast<int>(Status::kClosed)) {
            return absl::FailedPreconditionError(
                absl::StrCat("ticket ", r.id, " is closed; reopen it first"));
          }
          ASSIGN_OR_RETURN(cr.id, history_store::AddComment(c, cr));
          // A customer-visible answer by anyone but the creator is the
          // first response.
          if (req->customer_visible() && p.user_id != r.creator_id &&
              !r.first_response_at.has_value()) {
            r.first_response_at = now;
            r.updated_at = now;
            RETURN_IF_ERROR(ticket_store::UpdateState(c, r));
          }
          return history_store::Append(
              c, {0, r.id, p.user_id, "comment",
                  absl::StrCat(
                      req->customer_visible() ? "customer-visible" : "internal",
                      " comment ", cr.id),
                  now});
        }));
    ToProto(cr, resp);
    return absl::OkStatus();
  });
}

grpc::Status TicketsServiceImpl::RateTicket(grpc::ServerContext* ctx,
                                            const pb::RateTicketRequest* req,
                                            pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->satisfaction() < 1 || req->satisfaction() > 5) {
      return InvalidField("satisfaction", "must be 1..5");
    }
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(TicketRecord r,
                           VisibleTicket(c, p, req->id(), true));
          if (r.creator_id != p.user_id && !p.IsAdmin()) {
            return absl::PermissionDeniedError(
                "only the ticket's creator rates it");
          }
          if (r.status != static_cast<int>(Status::kResolved) &&
              r.status != static_cast<int>(Status::kClosed)) {
            return absl::FailedPreconditionError(
                "a ticket is rated after it is resolved");
          }
          if (r.satisfaction != 0) {
            return absl::FailedPreconditionError(
                absl::StrCat("ticket ", r.id, " is already rated"));
          }
          r.satisfaction = req->satisfaction();
          r.updated_at = now;
          RETURN_IF_ERROR(ticket_store::UpdateState(c, r));
          return history_store::Append(
              c, {0, r.id, p.user_id, "rated",
                  absl::StrCat(req->satisfaction()), now});
        }));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*conn, req->id()));
    return Render(*conn, p, stored, resp);
  });
}

}  // namespace crm::tickets
