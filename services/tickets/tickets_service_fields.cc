// UpdateTicket: custom field values (common/customfields). The built-in
// fields change through the ticket's verbs (assign, status, rate).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/tickets/store/ticket_store.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {

grpc::Status TicketsServiceImpl::UpdateTicket(
    grpc::ServerContext* ctx, const pb::UpdateTicketRequest* req,
    pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    for (const std::string& path : req->update_mask().paths()) {
      if (path != "custom_fields" &&
          !absl::StartsWith(path, customfields::kCustomPrefix)) {
        return InvalidField(
            "update_mask",
            absl::StrCat("\"", path,
                         "\" cannot be updated; only custom_fields (the "
                         "ticket's own fields change through its verbs)"));
      }
    }
    const pb::Ticket& in = req->ticket();
    customfields::EntityFields fields(pool_, clock_);
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(TicketRecord r,
                       VisibleTicket(c, p, in.id(), /*for_update=*/true));
      ASSIGN_OR_RETURN(customfields::EntityContext cf,
                       fields.LoadOn(c, "ticket"));
      customfields::Values changes;
      std::vector<std::string> builtin;
      RETURN_IF_ERROR(
          cf.CheckUpdate(p,
                         {req->update_mask().paths().begin(),
                          req->update_mask().paths().end()},
                         {in.custom_fields().begin(), in.custom_fields().end()},
                         &changes, &builtin));
      if (changes.empty()) return absl::OkStatus();
      return fields.store()
          .PutValuesOn(c, "ticket", r.id, cf.defs(), changes)
          .status();
    }));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*conn, in.id()));
    return Render(*conn, p, stored, resp);
  });
}

}  // namespace crm::tickets
