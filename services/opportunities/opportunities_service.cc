#include "services/opportunities/opportunities_service.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/client/client.h"
#include "common/client/user_lookup.h"
#include "common/customfields/entity_fields.h"
#include "common/paging/page_token.h"
#include "common/sharing/store.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/opportunities/opportunities_convert.h"
#include "services/opportunities/opportunities_util.h"

namespace crm::opportunities {
namespace {

namespace idpb = crm::identity::v1;
namespace accpb = crm::accounts::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxProducts = 50;

// Copies the client-settable fields of `in` onto `o`, validating each one
// named in `paths` (all of them on create).
absl::Status ApplyFields(const pb::Opportunity& in,
                         const std::vector<std::string>& paths,
                         OpportunityRecord* o) {
  for (const std::string& path : paths) {
    if (path == "name") {
      if (in.name().empty() || in.name().size() > 200)
        return InvalidField("opportunity.name", "1..200 bytes");
      o->name = in.name();
    } else if (path == "amount") {
      if (in.has_amount()) {
        RETURN_IF_ERROR(ValidMoney("opportunity.amount", in.amount()));
        o->currency = in.amount().currency_code();
        o->amount_minor = in.amount().amount_minor();
      } else {
        o->currency.clear();
        o->amount_minor = 0;
      }
    } else if (path == "expected_close_date") {
      RETURN_IF_ERROR(ValidDate("opportunity.expected_close_date",
                                in.expected_close_date(), false));
      o->expected_close_date = in.expected_close_date();
    } else if (path == "products") {
      if (in.products_size() > kMaxProducts)
        return InvalidField("opportunity.products", "at most 50");
      for (const std::string& p : in.products()) {
        if (p.empty() || p.size() > 64)
          return InvalidField("opportunity.products", "each 1..64 bytes");
      }
      o->products.assign(in.products().begin(), in.products().end());
    } else if (path == "budget") {
      if (in.has_budget()) {
        RETURN_IF_ERROR(ValidMoney("opportunity.budget", in.budget()));
        o->budget_currency = in.budget().currency_code();
        o->budget_minor = in.budget().amount_minor();
      } else {
        o->budget_currency.clear();
        o->budget_minor.reset();
      }
    } else if (path == "decision_maker") {
      if (in.decision_maker().size() > 100)
        return InvalidField("opportunity.decision_maker", "at most 100 bytes");
      o->decision_maker = in.decision_maker();
    } else if (path == "description") {
      if (in.description().size() > 2000)
        return InvalidField("opportunity.description", "at most 2000 bytes");
      o->description = in.description();
    } else {
      return InvalidField("update_mask",
                          absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

OpportunitiesServiceImpl::OpportunitiesServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<accpb::AccountsService::StubInterface> accounts,
    std::shared_ptr<idpb::IdentityService::StubInterface> identity,
    std::shared_ptr<const Clock> clock, OpportunitiesConfig config,
    std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders)
    : pool_(pool),
      redis_(redis),
      accounts_(std::move(accounts)),
      identity_(std::move(identity)),
      orders_(std::move(orders)),
      clock_(clock),
      config_(config),
      pipelines_(std::make_shared<PipelineStore>(pool, clock)),
      opportunities_(std::make_shared<OpportunityStore>(pool, clock)) {}

absl::StatusOr<OpportunityRecord> OpportunitiesServiceImpl::VisibleOpportunity(
    const auth::Principal& p, int64_t id) {
  if (id <= 0) return InvalidField("id", "must be a positive opportunity id");
  auto o = opportunities_->Get(id);
  if (o.ok() && auth::CanSee(p, o->owner_id, o->owner_org_path)) return o;
  if (!o.ok() && !absl::IsNotFound(o.status())) return o.status();
  return NotFoundOpportunity(id);
}

absl::StatusOr<idpb::User> OpportunitiesServiceImpl::LookupUser(
    grpc::ServerContext* ctx, int64_t id) {
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  return client::LookupUser(identity_.get(), &call, id);
}

absl::StatusOr<std::string> OpportunitiesServiceImpl::UnitPath(
    grpc::ServerContext* ctx, int64_t id) {
  if (id < 0) return InvalidField("org_unit_id", "must be positive");
  if (identity_ == nullptr)
    return absl::UnavailableError("identity service not configured");
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  idpb::GetOrgUnitRequest req;
  req.set_id(id);
  idpb::OrgUnit unit;
  absl::Status s = FromGrpcStatus(identity_->GetOrgUnit(&call, req, &unit));
  if (absl::IsNotFound(s) || absl::IsPermissionDenied(s))
    return absl::NotFoundError(absl::StrCat("org unit ", id, " not found"));
  if (!s.ok()) return s;
  return unit.path();
}

absl::StatusOr<accpb::Account> OpportunitiesServiceImpl::LookupAccount(
    grpc::ServerContext* ctx, int64_t id) {
  if (id <= 0)
    return InvalidField("opportunity.account_id",
                        "must be a positive account id");
  if (accounts_ == nullptr)
    return absl::UnavailableError("accounts service not configured");
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  accpb::GetAccountRequest req;
  req.set_id(id);
  accpb::Account account;
  absl::Status s = FromGrpcStatus(accounts_->GetAccount(&call, req, &account));
  if (absl::IsNotFound(s) || absl::IsPermissionDenied(s))
    return absl::NotFoundError(absl::StrCat("account ", id, " not found"));
  if (!s.ok()) return s;
  return account;
}

grpc::Status OpportunitiesServiceImpl::CreateOpportunity(
    grpc::ServerContext* ctx, const pb::CreateOpportunityRequest* req,
    pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    // Custom fields and field permissions (common/customfields).
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf,
                     fields.Load("opportunity"));
    customfields::Values values(req->opportunity().custom_fields().begin(),
                                req->opportunity().custom_fields().end());
    RETURN_IF_ERROR(cf.CheckCreate(p, req->opportunity(), &values));
    if (!req->request_id().empty()) {
      ASSIGN_OR_RETURN(std::optional<OpportunityRecord> prior,
                       opportunities_->FindByRequestId(req->request_id()));
      if (prior.has_value()) {
        if (!auth::CanSee(p, prior->owner_id, prior->owner_org_path))
          return NotFoundOpportunity(prior->id);
        ASSIGN_OR_RETURN(values,
                         fields.store().PutValues("opportunity", prior->id,
                                                  cf.defs(), values));
        ToProto(*prior, resp);
        cf.Present(p, values, resp);
        return absl::OkStatus();
      }
    }
    const pb::Opportunity& in = req->opportunity();
    OpportunityRecord o;
    RETURN_IF_ERROR(
        ApplyFields(in,
                    {"name", "amount", "expected_close_date", "products",
                     "budget", "decision_maker", "description"},
                    &o));
    if (in.source_lead_id() < 0)
      return InvalidField("opportunity.source_lead_id", "must not be negative");
    if (in.source_lead_id() > 0) o.source_lead_id = in.source_lead_id();
    if (req->pipeline_id() < 0)
      return InvalidField("pipeline_id", "must not be negative");
    ASSIGN_OR_RETURN(accpb::Account account,
                     LookupAccount(ctx, in.account_id()));
    o.account_id = account.id();
    PipelineDef pipeline;
    if (req->pipeline_id() > 0) {
      ASSIGN_OR_RETURN(pipeline, pipelines_->Get(req->pipeline_id()));
      if (!pipeline.active) {
        return absl::FailedPreconditionError(absl::StrCat(
            "pipeline ", pipeline.id, " is inactive; use an active one"));
      }
    } else {
      const CustomerType type = account.type() == accpb::CUSTOMER_TYPE_KA
                                    ? CustomerType::kKa
                                    : CustomerType::kSmb;
      const DealKind kind = req->deal_kind() == pb::DEAL_KIND_CUSTOM
                                ? DealKind::kCustom
                                : DealKind::kStandard;
      ASSIGN_OR_RETURN(pipeline, pipelines_->FindActive(type, kind));
    }
    // The owner: the caller, or a user a manager names in their scope.
    o.owner_id = p.user_id;
    o.owner_org_path = p.org_path;
    if (in.owner_id() < 0)
      return InvalidField("opportunity.owner_id", "must not be negative");
    if (in.owner_id() > 0 && in.owner_id() != p.user_id) {
      if (!IsManager(p)) {
        return absl::PermissionDeniedError(
            "only managers and admins may create opportunities for others");
      }
      ASSIGN_OR_RETURN(idpb::User owner, LookupUser(ctx, in.owner_id()));
      if (!auth::CanSee(p, owner.id(), owner.org_path()))
        return absl::NotFoundError(
            absl::StrCat("user ", in.owner_id(), " not found"));
      o.owner_id = owner.id();
      o.owner_org_path = owner.org_path();
    }
    if (o.owner_id <= 0) {
      return absl::PermissionDeniedError(
          "a service token cannot own an opportunity; name owner_id");
    }
    RETURN_IF_ERROR(CheckSubStage(pipeline, 0, in.sub_stage()));
    RETURN_IF_ERROR(CheckCreate(pipeline, PresentOf(o)));
    const absl::Time now = clock_->Now();
    o.pipeline_id = pipeline.id;
    o.stage_pos = 0;
    o.stage_code = pipeline.stages[0].code;
    o.sub_stage = in.sub_stage();
    o.status = OppStatus::kOpen;
    o.probability_bp = pipeline.stages[0].probability_bp;
    o.max_open_pos = 0;
    o.stage_entered_at = o.last_activity_at = now;
    o.created_by = p.user_id;
    o.created_at = o.updated_at = now;
    ASSIGN_OR_RETURN(OpportunityRecord created,
                     opportunities_->Create(o, req->request_id()));
    ASSIGN_OR_RETURN(values, fields.store().PutValues("opportunity", created.id,
                                                      cf.defs(), values));
    ToProto(created, resp);
    cf.Present(p, values, resp);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::GetOpportunity(
    grpc::ServerContext* ctx, const pb::GetOpportunityRequest* req,
    pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    absl::StatusOr<OpportunityRecord> found = VisibleOpportunity(p, req->id());
    if (absl::IsNotFound(found.status())) {
      // Shared with the caller (common/sharing, ADR 0080).
      ASSIGN_OR_RETURN(sharing::Access shared,
                       sharing::ShareStore(pool_, clock_)
                           .AccessOf("opportunity", req->id(), p.user_id));
      if (shared != sharing::Access::kNone)
        found = opportunities_->Get(req->id());
    }
    ASSIGN_OR_RETURN(OpportunityRecord o, std::move(found));
    ToProto(o, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("opportunity", p, {{o.id, resp}});
  });
}

grpc::Status OpportunitiesServiceImpl::ListOpportunities(
    grpc::ServerContext* ctx, const pb::ListOpportunitiesRequest* req,
    pb::ListOpportunitiesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    OpportunityStore::ListFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(),
                                               kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(f.after_id, paging::DecodePageToken("ListOpportunities",
                                                         req->page_token()));
    if (req->owner_id() < 0)
      return InvalidField("owner_id", "must not be negative");
    if (req->mine_only()) f.owner_id = p.user_id;
    if (req->owner_id() > 0) f.owner_id = req->owner_id();
    if (req->org_unit_id() != 0) {
      ASSIGN_OR_RETURN(f.subtree_path, UnitPath(ctx, req->org_unit_id()));
    }
    if (req->pipeline_id() < 0)
      return InvalidField("pipeline_id", "must not be negative");
    if (req->pipeline_id() > 0) f.pipeline_id = req->pipeline_id();
    if (!req->stage().empty() && !IsCode(req->stage()))
      return InvalidField("stage", "must be a stage code [a-z0-9_]{1,32}");
    f.stage_code = req->stage();
    if (req->status() != pb::OPPORTUNITY_STATUS_UNSPECIFIED) {
      if (!pb::OpportunityStatus_IsValid(req->status()))
        return InvalidField("status", "unknown status");
      f.status = static_cast<OppStatus>(req->status());
    }
    RETURN_IF_ERROR(
        ValidDate("close_date_from", req->close_date_from(), false));
    RETURN_IF_ERROR(ValidDate("close_date_to", req->close_date_to(), false));
    if (!req->close_date_from().empty() && !req->close_date_to().empty() &&
        req->close_date_from() > req->close_date_to()) {
      return InvalidField("close_date_to",
                          "must not be before close_date_from");
    }
    f.close_from = req->close_date_from();
    f.close_to = req->close_date_to();
    if (req->amount_min_minor() < 0)
      return InvalidField("amount_min_minor", "must not be negative");
    if (req->amount_max_minor() < 0)
      return InvalidField("amount_max_minor", "must not be negative");
    if (req->amount_max_minor() > 0 &&
        req->amount_max_minor() < req->amount_min_minor()) {
      return InvalidField("amount_max_minor",
                          "must not be below amount_min_minor");
    }
    if (req->amount_min_minor() > 0) f.amount_min = req->amount_min_minor();
    if (req->amount_max_minor() > 0) f.amount_max = req->amount_max_minor();
    if (req->account_id() < 0)
      return InvalidField("account_id", "must not be negative");
    if (req->account_id() > 0) f.account_id = req->account_id();
    auth::SqlPredicate visibility =
        auth::DataScopePredicate(p, "o.owner_id", "o.owner_org_path");
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf,
                     fields.Load("opportunity"));
    ASSIGN_OR_RETURN(std::vector<auth::SqlPredicate> cf_filters,
                     cf.Filters({req->custom_field_filter().begin(),
                                 req->custom_field_filter().end()},
                                "o.id"));
    customfields::AndInto(&visibility, cf_filters);
    ASSIGN_OR_RETURN(std::vector<OpportunityRecord> page,
                     opportunities_->List(f, visibility));
    std::vector<std::pair<int64_t, google::protobuf::Message*>> items;
    for (const OpportunityRecord& o : page) {
      pb::Opportunity* out = resp->add_opportunities();
      ToProto(o, out);
      items.push_back({o.id, out});
    }
    RETURN_IF_ERROR(fields.PresentMany(cf, p, items));
    resp->set_next_page_token(
        paging::NextPageToken("ListOpportunities", page, f.limit));
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::UpdateOpportunity(
    grpc::ServerContext* ctx, const pb::UpdateOpportunityRequest* req,
    pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    const int64_t id = req->opportunity().id();
    absl::StatusOr<OpportunityRecord> found = VisibleOpportunity(p, id);
    bool via_share = false;
    if (absl::IsNotFound(found.status())) {
      // Shared with the caller: EDIT updates (never the owner), READ is
      // PERMISSION_DENIED (common/sharing, ADR 0080).
      ASSIGN_OR_RETURN(sharing::Access shared,
                       sharing::ShareStore(pool_, clock_)
                           .AccessOf("opportunity", id, p.user_id));
      if (shared != sharing::Access::kNone) {
        RETURN_IF_ERROR(
            sharing::CheckSharedUpdate({"opportunity", id}, shared));
        found = opportunities_->Get(id);
        via_share = true;
      }
    }
    ASSIGN_OR_RETURN(OpportunityRecord seen, std::move(found));
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    // Field permissions for every path, custom field values validated.
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf,
                     fields.Load("opportunity"));
    customfields::Values cf_changes;
    std::vector<std::string> builtin_paths;
    RETURN_IF_ERROR(cf.CheckUpdate(
        p,
        {req->update_mask().paths().begin(), req->update_mask().paths().end()},
        {req->opportunity().custom_fields().begin(),
         req->opportunity().custom_fields().end()},
        &cf_changes, &builtin_paths));
    std::vector<std::string> paths;
    std::optional<idpb::User> new_owner;
    for (const std::string& path : builtin_paths) {
      if (path == "owner_id") {
        if (via_share) {
          return absl::PermissionDeniedError(absl::StrCat(
              "a share does not allow reassigning opportunity ", id));
        }
        if (!IsManager(p)) {
          return absl::PermissionDeniedError(
              "only managers and admins may reassign opportunities");
        }
        ASSIGN_OR_RETURN(idpb::User u,
                         LookupUser(ctx, req->opportunity().owner_id()));
        if (!auth::CanSee(p, u.id(), u.org_path()))
          return absl::NotFoundError(absl::StrCat(
              "user ", req->opportunity().owner_id(), " not found"));
        new_owner = u;
      } else if (path == "stage" || path == "sub_stage" || path == "status") {
        return InvalidField(
            "update_mask",
            absl::StrCat("\"", path,
                         "\" changes through MoveStage, MarkWon, MarkLost or "
                         "Reopen"));
      } else {
        paths.push_back(path);
      }
    }
    ASSIGN_OR_RETURN(PipelineDef pipeline, pipelines_->Get(seen.pipeline_id));
    ASSIGN_OR_RETURN(
        OpportunityRecord updated,
        opportunities_->Mutate(
            id, req->expected_version(),
            [&](const OpportunityRecord& cur) {
              return via_share ||
                     auth::CanSee(p, cur.owner_id, cur.owner_org_path);
            },
            [&](const OpportunityRecord& cur,
                absl::Time now) -> absl::StatusOr<OpportunityStore::Mutation> {
              if (cur.status != OppStatus::kOpen) {
                return absl::FailedPreconditionError(
                    "opportunity is closed; reopen it first");
              }
              OpportunityStore::Mutation m;
              m.next = cur;
              RETURN_IF_ERROR(ApplyFields(req->opportunity(), paths, &m.next));
              if (new_owner.has_value()) {
                m.next.owner_id = new_owner->id();
                m.next.owner_org_path = new_owner->org_path();
              }
              // What the current stage (and those before it) require
              // cannot be cleared.
              std::vector<std::string> missing =
                  MissingFields(pipeline, 0, cur.stage_pos, PresentOf(m.next));
              if (!missing.empty()) {
                return absl::FailedPreconditionError(
                    absl::StrCat("stage ", cur.stage_code,
                                 " requires: ", absl::StrJoin(missing, ", ")));
              }
              m.next.last_activity_at = now;
              return m;
            }));
    if (!cf_changes.empty()) {
      RETURN_IF_ERROR(fields.store()
                          .PutValues("opportunity", id, cf.defs(), cf_changes)
                          .status());
    }
    ToProto(updated, resp);
    return fields.PresentMany(cf, p, {{updated.id, resp}});
  });
}

}  // namespace crm::opportunities
