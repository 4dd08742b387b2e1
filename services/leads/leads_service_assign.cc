// Lead pools, claims (ADR 0006: Redis lock in front, the conditional UPDATE
// decides), manual assignment within a manager's subtree, assignment rules
// (data per org unit) and AutoAssign.
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/client/client.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "common/validate/text.h"
#include "services/leads/leads_service.h"
#include "services/leads/proto_convert.h"

namespace crm::leads {
namespace {

namespace idpb = crm::identity::v1;

constexpr int kDefaultAutoAssign = 100;
constexpr int kMaxAutoAssign = 1000;

// The org unit, from identity with the caller's token (identity refuses a
// unit outside the caller's scope).
absl::StatusOr<idpb::OrgUnit> GetUnit(
    idpb::IdentityService::StubInterface* identity, grpc::ServerContext* ctx,
    int64_t id) {
  if (identity == nullptr)
    return absl::UnavailableError("identity service not configured");
  if (id <= 0) return InvalidField("org_unit_id", "required");
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  idpb::GetOrgUnitRequest req;
  req.set_id(id);
  idpb::OrgUnit unit;
  RETURN_IF_ERROR(FromGrpcStatus(identity->GetOrgUnit(&call, req, &unit)));
  return unit;
}

}  // namespace

grpc::Status LeadsServiceImpl::CreateLeadPool(
    grpc::ServerContext* ctx, const pb::CreateLeadPoolRequest* req,
    pb::LeadPool* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may create lead pools");
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    LeadPoolRecord pool;
    pool.name = validate::CollapseSpaces(req->pool().name());
    RETURN_IF_ERROR(validate::ValidateName(&pool.name, "pool.name", 100));
    pool.region_code = req->pool().region_code();
    if (pool.region_code.empty() || pool.region_code.size() > 32)
      return InvalidField("pool.region_code", "required, 1..32 characters");
    pool.org_unit_id = req->pool().org_unit_id();
    if (pool.org_unit_id < 0)
      return InvalidField("pool.org_unit_id", "must not be negative");
    if (pool.org_unit_id > 0)
      RETURN_IF_ERROR(GetUnit(identity_.get(), ctx, pool.org_unit_id).status());
    ASSIGN_OR_RETURN(LeadPoolRecord created,
                     pools_.Create(pool, req->request_id()));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::ListLeadPools(
    grpc::ServerContext* ctx, const pb::ListLeadPoolsRequest* req,
    pb::ListLeadPoolsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    ASSIGN_OR_RETURN(std::vector<LeadPoolRecord> pools,
                     pools_.List(req->region_code()));
    for (const LeadPoolRecord& pool : pools) ToProto(pool, resp->add_pools());
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::ClaimLead(grpc::ServerContext* ctx,
                                         const pb::ClaimLeadRequest* req,
                                         pb::Lead* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (p.user_id == 0)
      return absl::PermissionDeniedError("only users may claim leads");
    if (req->lead_id() <= 0)
      return InvalidField("lead_id", "must be a positive lead id");
    // Pooled leads are claimable by anyone of the region (the store says
    // why not otherwise); owned leads the caller cannot see stay NOT_FOUND.
    absl::StatusOr<LeadRecord> l = leads_.Get(req->lead_id());
    if (absl::IsNotFound(l.status()) ||
        (l.ok() && l->owner_id.has_value() && !Visible(p, *l))) {
      return absl::NotFoundError(
          absl::StrCat("lead ", req->lead_id(), " not found"));
    }
    RETURN_IF_ERROR(l.status());
    std::optional<redis::LockHandle> lock;
    if (locks_ != nullptr) {
      auto got = locks_->TryAcquire(absl::StrCat("lock:claim:lead:", l->id),
                                    config_.claim_lock_ttl);
      if (!got.ok()) {
        log::Warn("lead claim lock unavailable; relying on the database",
                  {{"lead", l->id}, {"error", got.status().ToString()}});
      } else if (!got->has_value()) {
        return absl::AbortedError(absl::StrCat("another claim for lead ", l->id,
                                               " is in progress; retry"));
      } else {
        lock = std::move(**got);
      }
    }
    ASSIGN_OR_RETURN(
        LeadRecord claimed,
        pools_.Claim(l->id, Owner{p.user_id, p.org_path}, p.region_code));
    ToProto(claimed, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::AssignLead(grpc::ServerContext* ctx,
                                          const pb::AssignLeadRequest* req,
                                          pb::Lead* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(RequireManager(p, "assign leads"));
    ASSIGN_OR_RETURN(LeadRecord l, VisibleLead(p, req->lead_id()));
    if (req->owner_id() <= 0) return InvalidField("owner_id", "required");
    std::string reason = validate::CollapseSpaces(req->reason());
    if (reason.size() > 300) return InvalidField("reason", "at most 300 bytes");
    ASSIGN_OR_RETURN(idpb::User owner, LookupUser(ctx, req->owner_id()));
    if (!auth::CanSee(p, owner.id(), owner.org_path())) {
      return absl::NotFoundError(
          absl::StrCat("user ", req->owner_id(), " not found"));
    }
    ASSIGN_OR_RETURN(LeadRecord moved,
                     pools_.Assign(l.id, Owner{owner.id(), owner.org_path()},
                                   p.user_id, reason));
    ToProto(moved, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::CreateAssignmentRule(
    grpc::ServerContext* ctx, const pb::CreateAssignmentRuleRequest* req,
    pb::AssignmentRule* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage assignment rules"));
    RuleSpec r = RuleFromProto(req->rule());
    RETURN_IF_ERROR(ValidateRule(r));
    ASSIGN_OR_RETURN(idpb::OrgUnit unit,
                     GetUnit(identity_.get(), ctx, r.org_unit_id));
    for (RuleMember& m : r.members) {
      ASSIGN_OR_RETURN(idpb::User u, LookupUser(ctx, m.user_id));
      if (!auth::PathWithin(u.org_path(), unit.path())) {
        return InvalidField(
            "rule.member_user_ids",
            absl::StrCat("user ", u.id(), " is not in org unit ", unit.id()));
      }
      m.org_path = u.org_path();
    }
    ASSIGN_OR_RETURN(RuleSpec created, rules_.Create(r));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::ListAssignmentRules(
    grpc::ServerContext* ctx, const pb::ListAssignmentRulesRequest* req,
    pb::ListAssignmentRulesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "see assignment rules"));
    RETURN_IF_ERROR(GetUnit(identity_.get(), ctx, req->org_unit_id()).status());
    ASSIGN_OR_RETURN(std::vector<RuleSpec> rules,
                     rules_.List(req->org_unit_id()));
    for (const RuleSpec& r : rules) ToProto(r, resp->add_rules());
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::UpdateAssignmentRule(
    grpc::ServerContext* ctx, const pb::UpdateAssignmentRuleRequest* req,
    pb::AssignmentRule* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage assignment rules"));
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    ASSIGN_OR_RETURN(RuleSpec r, rules_.Get(req->rule().id()));
    ASSIGN_OR_RETURN(idpb::OrgUnit unit,
                     GetUnit(identity_.get(), ctx, r.org_unit_id));
    const RuleSpec in = RuleFromProto(req->rule());
    bool members_changed = false;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        r.name = in.name;
      } else if (path == "position") {
        r.position = in.position;
      } else if (path == "enabled") {
        r.enabled = in.enabled;
      } else if (path == "region_codes") {
        r.region_codes = in.region_codes;
      } else if (path == "cities") {
        r.cities = in.cities;
      } else if (path == "min_score") {
        r.min_score = in.min_score;
      } else if (path == "max_score") {
        r.max_score = in.max_score;
      } else if (path == "strategy") {
        r.strategy = in.strategy;
      } else if (path == "member_user_ids") {
        r.members = in.members;
        members_changed = true;
      } else if (path == "capacity") {
        r.capacity = in.capacity;
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    RETURN_IF_ERROR(ValidateRule(r));
    if (members_changed) {
      for (RuleMember& m : r.members) {
        ASSIGN_OR_RETURN(idpb::User u, LookupUser(ctx, m.user_id));
        if (!auth::PathWithin(u.org_path(), unit.path())) {
          return InvalidField(
              "rule.member_user_ids",
              absl::StrCat("user ", u.id(), " is not in org unit ", unit.id()));
        }
        m.org_path = u.org_path();
      }
    }
    ASSIGN_OR_RETURN(RuleSpec updated, rules_.Update(r));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::DeleteAssignmentRule(
    grpc::ServerContext* ctx, const pb::DeleteAssignmentRuleRequest* req,
    pb::DeleteAssignmentRuleResponse*) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage assignment rules"));
    ASSIGN_OR_RETURN(RuleSpec r, rules_.Get(req->id()));
    RETURN_IF_ERROR(GetUnit(identity_.get(), ctx, r.org_unit_id).status());
    return rules_.Delete(r.id);
  });
}

grpc::Status LeadsServiceImpl::AutoAssign(grpc::ServerContext* ctx,
                                          const pb::AutoAssignRequest* req,
                                          pb::AutoAssignResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(RequireManager(p, "auto-assign leads"));
    if (req->limit() < 0 || req->limit() > kMaxAutoAssign)
      return InvalidField("limit", "must be 0..1000");
    const int limit = req->limit() == 0 ? kDefaultAutoAssign : req->limit();
    ASSIGN_OR_RETURN(idpb::OrgUnit unit,
                     GetUnit(identity_.get(), ctx, req->org_unit_id()));
    std::vector<int64_t> ids(req->lead_ids().begin(), req->lead_ids().end());
    if (static_cast<int>(ids.size()) > limit)
      return InvalidField("lead_ids", "more ids than limit");
    if (ids.empty()) {
      if (unit.effective_region_code().empty())
        return InvalidField("lead_ids", "required: the org unit has no region");
      ASSIGN_OR_RETURN(ids,
                       rules_.PooledLeads(unit.effective_region_code(), limit));
    } else {
      for (int64_t id : ids) RETURN_IF_ERROR(VisibleLead(p, id).status());
    }
    for (int64_t id : ids) {
      ASSIGN_OR_RETURN(RuleStore::AutoResult r,
                       rules_.AutoAssignOne(unit.id(), id, p.user_id));
      pb::AutoAssignment* a = resp->add_assignments();
      a->set_lead_id(id);
      a->set_owner_id(r.owner_id);
      a->set_rule_id(r.rule_id);
      if (r.owner_id > 0) {
        resp->set_assigned(resp->assigned() + 1);
      } else {
        resp->set_unmatched(resp->unmatched() + 1);
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::leads
