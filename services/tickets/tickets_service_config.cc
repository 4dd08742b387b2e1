// Ticket types, support groups and agents.
#include <regex>

#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {
namespace {

absl::Status RequireSupportAdmin(const auth::Principal& p,
                                 std::string_view what) {
  if (p.IsAdmin() || p.HasRole(auth::kRoleSupportManager)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("only support managers and admins may ", std::string(what)));
}

absl::Status RenderGroup(db::Connection& c, const GroupRecord& g,
                         pb::SupportGroup* out) {
  out->set_id(g.id);
  out->set_name(g.name);
  out->set_org_path(g.org_path);
  ASSIGN_OR_RETURN(std::vector<AgentRecord> agents,
                   config_store::Agents(c, g.id));
  for (const AgentRecord& a : agents) {
    pb::Agent* x = out->add_agents();
    x->set_user_id(a.user_id);
    x->set_active(a.active);
    for (const std::string& s : a.skills) x->add_skills(s);
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status TicketsServiceImpl::UpsertTicketType(grpc::ServerContext* ctx,
                                                  const pb::TicketType* req,
                                                  pb::TicketType* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireSupportAdmin(p, "configure ticket types"));
    ASSIGN_OR_RETURN(pb::TicketType t, NormalizeType(*req));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    RETURN_IF_ERROR(
        config_store::UpsertType(*conn, t.key(), TypeToJson(t), clock_->Now()));
    *resp = t;
    return absl::OkStatus();
  });
}

grpc::Status TicketsServiceImpl::ListTicketTypes(
    grpc::ServerContext* ctx, const pb::ListTicketTypesRequest*,
    pb::ListTicketTypesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    (void)p;
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(auto types, config_store::AllTypes(*conn));
    for (const auto& [key, json] : types) {
      ASSIGN_OR_RETURN(*resp->add_types(), TypeFromJson(json));
    }
    return absl::OkStatus();
  });
}

grpc::Status TicketsServiceImpl::CreateSupportGroup(
    grpc::ServerContext* ctx, const pb::CreateSupportGroupRequest* req,
    pb::SupportGroup* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireSupportAdmin(p, "create support groups"));
    if (req->name().empty() || req->name().size() > 100) {
      return InvalidField("name", "required, at most 100 bytes");
    }
    std::string path = p.org_path;
    if (p.IsAdmin()) {
      static const std::regex kPath("/([0-9]+/)+");
      if (!std::regex_match(req->org_path(), kPath)) {
        return InvalidField("org_path", "an org path like /1/4/ is required");
      }
      path = req->org_path();
    } else if (!req->org_path().empty() && req->org_path() != p.org_path) {
      return absl::PermissionDeniedError(
          "a support manager creates groups in their own org unit");
    }
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(int64_t id, config_store::InsertGroup(
                                     *conn, req->name(), path, clock_->Now()));
    ASSIGN_OR_RETURN(GroupRecord g, config_store::GetGroup(*conn, id));
    return RenderGroup(*conn, g, resp);
  });
}

grpc::Status TicketsServiceImpl::SetGroupAgent(
    grpc::ServerContext* ctx, const pb::SetGroupAgentRequest* req,
    pb::SupportGroup* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireSupportAdmin(p, "manage support groups"));
    if (req->group_id() <= 0) {
      return InvalidField("group_id", "must be a positive group id");
    }
    if (req->agent().user_id() <= 0) {
      return InvalidField("agent.user_id", "must be a positive user id");
    }
    if (req->agent().skills_size() > 20) {
      return InvalidField("agent.skills", "at most 20 skills");
    }
    AgentRecord a{
        req->group_id(), req->agent().user_id(), {}, req->agent().active()};
    for (const std::string& s : req->agent().skills()) {
      if (s.empty() || s.size() > 32) {
        return InvalidField("agent.skills", "each 1..32 bytes");
      }
      a.skills.push_back(s);
    }
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    absl::StatusOr<GroupRecord> g =
        config_store::GetGroup(*conn, req->group_id());
    if (!g.ok() || !ManagesPath(p, g->org_path)) {
      if (g.ok() || absl::IsNotFound(g.status())) {
        return absl::NotFoundError(
            absl::StrCat("support group ", req->group_id(), " not found"));
      }
      return g.status();
    }
    RETURN_IF_ERROR(config_store::UpsertAgent(*conn, a));
    return RenderGroup(*conn, *g, resp);
  });
}

grpc::Status TicketsServiceImpl::GetSupportGroup(
    grpc::ServerContext* ctx, const pb::GetSupportGroupRequest* req,
    pb::SupportGroup* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    (void)p;
    if (req->id() <= 0) return InvalidField("id", "must be a positive id");
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(GroupRecord g, config_store::GetGroup(*conn, req->id()));
    return RenderGroup(*conn, g, resp);
  });
}

}  // namespace crm::tickets
