#include "services/accounts/accounts_service.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/client/client.h"
#include "common/client/manager_lookup.h"
#include "common/client/user_lookup.h"
#include "common/customfields/entity_fields.h"
#include "common/log/log.h"
#include "common/paging/page_token.h"
#include "common/sharing/store.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/accounts/accounts_service_present.h"
#include "services/accounts/domain/account_rules.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/proto_convert.h"

namespace crm::accounts {
namespace {

namespace idpb = crm::identity::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kSimilarCandidates = 20;

}  // namespace

AccountsServiceImpl::AccountsServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<idpb::IdentityService::StubInterface> identity,
    std::shared_ptr<const Clock> clock, AccountsConfig config)
    : pool_(pool),
      redis_(redis),
      clock_(clock),
      config_(config),
      locks_(redis != nullptr ? std::make_unique<redis::DistributedLock>(redis)
                              : nullptr),
      identity_(std::move(identity)),
      accounts_(std::make_shared<AccountStore>(pool, clock)),
      pools_(std::make_shared<PoolStore>(pool, clock,
                                         config.default_claim_rules)) {}

bool AccountsServiceImpl::Visible(const auth::Principal& p,
                                  const AccountRecord& a) const {
  if (a.owner_id.has_value())
    return auth::CanSee(p, *a.owner_id, a.owner_org_path);
  return p.scope == auth::DataScope::kAll ||
         (!p.region_code.empty() && p.region_code == a.region_code);
}

absl::StatusOr<AccountRecord> AccountsServiceImpl::VisibleAccount(
    const auth::Principal& p, int64_t id) {
  if (id <= 0)
    return InvalidField("account_id", "must be a positive account id");
  auto a = accounts_->Get(id);
  if (a.ok() && Visible(p, *a)) return a;
  if (!a.ok() && !absl::IsNotFound(a.status())) return a.status();
  return NotFoundAccount(id);
}

absl::StatusOr<idpb::User> AccountsServiceImpl::LookupUser(
    grpc::ServerContext* ctx, int64_t id) {
  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  return client::LookupUser(identity_.get(), &call, id);
}

// ---------------------------------------------------------------- accounts

absl::Status AccountsServiceImpl::CheckDraftDuplicates(
    const auth::Principal& p, const AccountRecord& draft, bool ignore_similar,
    pb::CreateAccountResponse* resp) {
  ASSIGN_OR_RETURN(
      std::vector<AccountRecord> exact,
      accounts_->FindExact(draft.credit_code, draft.kind == AccountKind::kPerson
                                                  ? draft.phone
                                                  : std::nullopt));
  ASSIGN_OR_RETURN(std::vector<AccountStore::GramHit> hits,
                   accounts_->FindByNameGrams(NameGrams(draft.name_norm),
                                              kSimilarCandidates));
  std::vector<AccountRecord> similar;
  for (auto& h : hits) similar.push_back(std::move(h.account));
  std::vector<Candidate> ranked = RankDuplicates(draft, exact, similar);
  if (!ranked.empty() && ranked.front().exact) {
    const Candidate& c = ranked.front();
    std::string owner;
    if (c.owner_id.has_value() &&
        auth::CanSee(p, *c.owner_id, c.owner_org_path)) {
      owner = absl::StrCat(", owned by user ", *c.owner_id);
    } else if (!c.owner_id.has_value()) {
      owner = ", in a public pool";
    }
    return absl::AlreadyExistsError(
        absl::StrCat(c.match, ": account ", c.account_id, " (", c.name,
                     ") already has this ", c.match, owner));
  }
  if (ranked.empty()) return absl::OkStatus();
  if (!ignore_similar) {
    std::vector<std::string> names;
    for (const Candidate& c : ranked) {
      names.push_back(absl::StrCat(c.account_id, " ", c.name, " (", c.match,
                                   " ", static_cast<int>(c.score * 100), "%)"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "similar accounts exist: ", absl::StrJoin(names, "; "),
        "; check them, or set ignore_similar to create this account anyway"));
  }
  for (const Candidate& c : ranked) {
    ToProto(c,
            c.owner_id.has_value() &&
                auth::CanSee(p, *c.owner_id, c.owner_org_path),
            resp->add_similar());
  }
  return absl::OkStatus();
}

grpc::Status AccountsServiceImpl::CreateAccount(
    grpc::ServerContext* ctx, const pb::CreateAccountRequest* req,
    pb::CreateAccountResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    // Custom fields and field permissions (common/customfields).
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("account"));
    customfields::Values values(req->account().custom_fields().begin(),
                                req->account().custom_fields().end());
    RETURN_IF_ERROR(cf.CheckCreate(p, req->account(), &values));
    if (!req->request_id().empty()) {
      // A retry returns what the first attempt created, before any
      // duplicate check could mistake it for a clash with itself.
      ASSIGN_OR_RETURN(std::optional<AccountRecord> prior,
                       accounts_->FindByRequestId(req->request_id()));
      if (prior.has_value()) {
        ASSIGN_OR_RETURN(values, fields.store().PutValues("account", prior->id,
                                                          cf.defs(), values));
        ToProto(*prior, prior->owner_id.has_value(), resp->mutable_account());
        cf.Present(p, values, resp->mutable_account());
        return absl::OkStatus();
      }
    }
    AccountRecord draft = DraftFromProto(req->account());
    if (draft.region_code.empty()) draft.region_code = p.region_code;
    RETURN_IF_ERROR(NormalizeDraft(&draft));
    MoveKind kind = MoveKind::kCreate;
    if (req->pool_id() > 0) {
      ASSIGN_OR_RETURN(PoolRecord pool, pools_->Get(req->pool_id()));
      if (!IsManager(p) && pool.region_code != p.region_code) {
        return absl::NotFoundError(
            absl::StrCat("pool ", req->pool_id(), " not found"));
      }
      draft.pool_id = pool.id;
    } else {
      draft.owner_id = p.user_id;
      draft.owner_org_path = p.org_path;
    }
    draft.created_by = p.user_id;
    RETURN_IF_ERROR(
        CheckDraftDuplicates(p, draft, req->ignore_similar(), resp));
    ASSIGN_OR_RETURN(AccountStore::CreateOutcome out,
                     accounts_->Create(draft, NameGrams(draft.name_norm), kind,
                                       p.user_id, req->request_id()));
    if (out.existing.has_value()) {
      return absl::AlreadyExistsError(absl::StrCat(
          out.clashing_key, ": account ", out.existing->id, " (",
          out.existing->name, ") already has this ", out.clashing_key));
    }
    ASSIGN_OR_RETURN(
        values, fields.store().PutValues("account", out.created->id, cf.defs(),
                                         values));
    ToProto(*out.created, out.created->owner_id.has_value(),
            resp->mutable_account());
    cf.Present(p, values, resp->mutable_account());
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::GetAccount(grpc::ServerContext* ctx,
                                             const pb::GetAccountRequest* req,
                                             pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    absl::StatusOr<AccountRecord> found = VisibleAccount(p, req->id());
    if (absl::IsNotFound(found.status())) {
      // Shared with the caller (common/sharing, ADR 0080).
      ASSIGN_OR_RETURN(sharing::Access shared,
                       sharing::ShareStore(pool_, clock_)
                           .AccessOf("account", req->id(), p.user_id));
      if (shared != sharing::Access::kNone) found = accounts_->Get(req->id());
    }
    ASSIGN_OR_RETURN(AccountRecord a, std::move(found));
    return PresentAccount(pool_, clock_, p, a, resp);
  });
}

grpc::Status AccountsServiceImpl::ListAccounts(
    grpc::ServerContext* ctx, const pb::ListAccountsRequest* req,
    pb::ListAccountsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    AccountStore::ListFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(),
                                               kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(
        f.after_id, paging::DecodePageToken("ListAccounts", req->page_token()));
    if (req->mine_only()) f.owner_id = p.user_id;
    if (req->owner_id() != 0) f.owner_id = req->owner_id();
    if (req->org_unit_id() != 0) {
      // The unit's path comes from identity, which refuses units outside
      // the caller's scope.
      grpc::ClientContext call;
      client::PrepareOnBehalf(&call, *ctx);
      idpb::GetOrgUnitRequest unit_req;
      unit_req.set_id(req->org_unit_id());
      idpb::OrgUnit unit;
      if (identity_ == nullptr)
        return absl::UnavailableError("identity service not configured");
      RETURN_IF_ERROR(
          FromGrpcStatus(identity_->GetOrgUnit(&call, unit_req, &unit)));
      f.owner_subtree_path = unit.path();
    }
    if (req->pool_id() != 0) f.pool_id = req->pool_id();
    if (req->tier() != pb::TIER_UNSPECIFIED)
      f.tier = static_cast<Tier>(req->tier());
    if (req->type() != pb::CUSTOMER_TYPE_UNSPECIFIED)
      f.type = static_cast<CustomerType>(req->type());
    if (req->status() != pb::ACCOUNT_STATUS_UNSPECIFIED) {
      f.status = static_cast<AccountStatus>(req->status());
    }
    f.region_code = req->region_code();
    if (req->has_last_follow_up_before())
      f.follow_up_before = FromTimestamp(req->last_follow_up_before());
    if (req->has_last_follow_up_after())
      f.follow_up_after = FromTimestamp(req->last_follow_up_after());
    if (req->name_prefix().size() > 200)
      return InvalidField("name_prefix", "at most 200 bytes");
    f.name_prefix = req->name_prefix();
    auth::SqlPredicate visibility =
        auth::DataScopePredicate(p, "a.owner_id", "a.owner_org_path");
    if (p.scope != auth::DataScope::kAll) {
      visibility.sql =
          absl::StrCat("(", visibility.sql,
                       ") OR (a.pool_id IS NOT NULL AND a.region_code = ?)");
      visibility.params.push_back(p.region_code);
    }
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("account"));
    ASSIGN_OR_RETURN(std::vector<auth::SqlPredicate> cf_filters,
                     cf.Filters({req->custom_field_filter().begin(),
                                 req->custom_field_filter().end()},
                                "a.id"));
    customfields::AndInto(&visibility, cf_filters);
    ASSIGN_OR_RETURN(std::vector<AccountRecord> page,
                     accounts_->List(f, visibility));
    std::vector<std::pair<int64_t, google::protobuf::Message*>> items;
    for (const AccountRecord& a : page) {
      pb::Account* out = resp->add_accounts();
      ToProto(a, a.owner_id.has_value(), out);
      items.push_back({a.id, out});
    }
    RETURN_IF_ERROR(fields.PresentMany(cf, p, items));
    resp->set_next_page_token(
        paging::NextPageToken("ListAccounts", page, f.limit));
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::UpdateAccount(
    grpc::ServerContext* ctx, const pb::UpdateAccountRequest* req,
    pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    absl::StatusOr<AccountRecord> found =
        VisibleAccount(p, req->account().id());
    if (absl::IsNotFound(found.status())) {
      // Shared with the caller: EDIT updates, READ is PERMISSION_DENIED
      // (common/sharing, ADR 0080).
      const int64_t id = req->account().id();
      ASSIGN_OR_RETURN(sharing::Access shared,
                       sharing::ShareStore(pool_, clock_)
                           .AccessOf("account", id, p.user_id));
      if (shared != sharing::Access::kNone) {
        RETURN_IF_ERROR(sharing::CheckSharedUpdate({"account", id}, shared));
        found = accounts_->Get(id);
      }
    }
    ASSIGN_OR_RETURN(AccountRecord current, std::move(found));
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    // Field permissions for every path, custom field values validated.
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("account"));
    customfields::Values cf_changes;
    std::vector<std::string> paths;
    RETURN_IF_ERROR(cf.CheckUpdate(
        p,
        {req->update_mask().paths().begin(), req->update_mask().paths().end()},
        {req->account().custom_fields().begin(),
         req->account().custom_fields().end()},
        &cf_changes, &paths));
    // Apply the masked fields to a copy, then validate the whole result the
    // same way a new draft is validated.
    AccountRecord next = current;
    const AccountRecord in = DraftFromProto(req->account());
    AccountStore::Changes ch;
    for (const std::string& path : paths) {
      if (path == "name")
        next.name = in.name;
      else if (path == "industry")
        next.industry = in.industry;
      else if (path == "address")
        next.address = in.address;
      else if (path == "location") {
        next.lat = in.lat;
        next.lng = in.lng;
      } else if (path == "region_code")
        next.region_code = in.region_code;
      else if (path == "type")
        next.type = in.type;
      else if (path == "phone")
        next.phone = in.phone;
      else if (path == "id_number")
        next.id_number = in.id_number;
      else if (path == "credit_code")
        next.credit_code = in.credit_code;
      else if (path == "status") {
        if (req->account().status() != pb::ACCOUNT_STATUS_CHURNED) {
          return InvalidField(
              "account.status",
              "only CHURNED can be set; SIGNED comes from contracts");
        }
        ch.status = AccountStatus::kChurned;
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    RETURN_IF_ERROR(NormalizeDraft(&next));
    ch.name = next.name;
    ch.name_norm = next.name_norm;
    ch.grams = NameGrams(next.name_norm);
    ch.industry = next.industry;
    ch.address = next.address;
    ch.region_code = next.region_code;
    ch.credit_code = next.credit_code.value_or("");
    if (!next.credit_code.has_value()) ch.credit_code.reset();
    ch.phone = next.phone;
    ch.id_number = next.id_number;
    ch.lat = next.lat;
    ch.lng = next.lng;
    ch.type = next.type;
    if (ch.phone && !next.phone.has_value()) ch.phone.reset();
    ASSIGN_OR_RETURN(AccountRecord updated, accounts_->Update(current.id, ch));
    if (!cf_changes.empty()) {
      RETURN_IF_ERROR(
          fields.store()
              .PutValues("account", current.id, cf.defs(), cf_changes)
              .status());
    }
    return PresentAccount(pool_, clock_, p, updated, resp);
  });
}

grpc::Status AccountsServiceImpl::CheckDuplicates(
    grpc::ServerContext* ctx, const pb::CheckDuplicatesRequest* req,
    pb::CheckDuplicatesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    AccountRecord draft = DraftFromProto(req->draft());
    if (draft.region_code.empty())
      draft.region_code = p.region_code.empty() ? "none" : p.region_code;
    // A company without a credit code (a lead) is checked by name and
    // address only; CreateAccount still requires the code.
    RETURN_IF_ERROR(NormalizeDraft(&draft, /*credit_code_optional=*/true));
    ASSIGN_OR_RETURN(
        std::vector<AccountRecord> exact,
        accounts_->FindExact(
            draft.credit_code,
            draft.kind == AccountKind::kPerson ? draft.phone : std::nullopt));
    ASSIGN_OR_RETURN(std::vector<AccountStore::GramHit> hits,
                     accounts_->FindByNameGrams(NameGrams(draft.name_norm),
                                                kSimilarCandidates));
    std::vector<AccountRecord> similar;
    for (auto& h : hits) similar.push_back(std::move(h.account));
    for (const Candidate& c : RankDuplicates(draft, exact, similar)) {
      ToProto(c,
              c.owner_id.has_value() &&
                  auth::CanSee(p, *c.owner_id, c.owner_org_path),
              resp->add_candidates());
    }
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- pools

grpc::Status AccountsServiceImpl::CreatePool(grpc::ServerContext* ctx,
                                             const pb::CreatePoolRequest* req,
                                             pb::Pool* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may create pools");
    PoolRecord pool;
    pool.name = req->pool().name();
    if (pool.name.empty() || pool.name.size() > 300)
      return InvalidField("pool.name", "1..100 characters");
    pool.region_code = req->pool().region_code();
    if (pool.region_code.empty())
      return InvalidField("pool.region_code", "required");
    pool.rules = req->pool().has_claim_rules()
                     ? RulesFromProto(req->pool().claim_rules())
                     : config_.default_claim_rules;
    RETURN_IF_ERROR(ValidateClaimRules(pool.rules));
    pool.member_org_unit_ids.assign(req->pool().member_org_unit_ids().begin(),
                                    req->pool().member_org_unit_ids().end());
    if (req->pool().recycle_rules_size() > 0) {
      ASSIGN_OR_RETURN(pool.recycle_rules_json,
                       RecycleRulesJsonFromProto(req->pool().recycle_rules()));
    }
    pool.admin_user_ids.assign(req->pool().admin_user_ids().begin(),
                               req->pool().admin_user_ids().end());
    ASSIGN_OR_RETURN(PoolRecord created,
                     pools_->Create(pool, req->request_id()));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::GetPool(grpc::ServerContext* ctx,
                                          const pb::GetPoolRequest* req,
                                          pb::Pool* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    ASSIGN_OR_RETURN(PoolRecord pool, pools_->Get(req->id()));
    ToProto(pool, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ListPools(grpc::ServerContext* ctx,
                                            const pb::ListPoolsRequest* req,
                                            pb::ListPoolsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    ASSIGN_OR_RETURN(std::vector<PoolRecord> pools,
                     pools_->List(req->region_code()));
    for (const PoolRecord& pool : pools) ToProto(pool, resp->add_pools());
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::UpdatePool(grpc::ServerContext* ctx,
                                             const pb::UpdatePoolRequest* req,
                                             pb::Pool* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    // Admins change any pool; a pool's own admins change its name and rules.
    if (!p.IsAdmin()) {
      auto pool = pools_->Get(req->pool().id());
      const bool pool_admin =
          pool.ok() &&
          std::find(pool->admin_user_ids.begin(), pool->admin_user_ids.end(),
                    p.user_id) != pool->admin_user_ids.end();
      if (!pool_admin) {
        return absl::PermissionDeniedError(
            "only admins and the pool's admins may change a pool");
      }
    }
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    std::optional<std::string> name;
    std::optional<ClaimRules> rules;
    std::optional<std::string> recycle_json;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        name = req->pool().name();
        if (name->empty())
          return InvalidField("pool.name", "must not be empty");
      } else if (path == "recycle_rules") {
        ASSIGN_OR_RETURN(recycle_json, RecycleRulesJsonFromProto(
                                           req->pool().recycle_rules()));
      } else if (path == "claim_rules") {
        rules = RulesFromProto(req->pool().claim_rules());
        RETURN_IF_ERROR(ValidateClaimRules(*rules));
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    ASSIGN_OR_RETURN(
        PoolRecord pool,
        pools_->UpdateRules(req->pool().id(), name, rules, recycle_json));
    ToProto(pool, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ClaimAccount(
    grpc::ServerContext* ctx, const pb::ClaimAccountRequest* req,
    pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    if (req->account_id() <= 0)
      return InvalidField("account_id", "must be a positive account id");
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    // Public pools are public: a claim names any pooled account, and the
    // pool rules (region, membership) decide, with a reason the rep can act
    // on. A privately owned account the caller cannot see stays NOT_FOUND.
    ASSIGN_OR_RETURN(AccountRecord a, accounts_->Get(req->account_id()));
    if (a.owner_id.has_value() && !Visible(p, a)) {
      return NotFoundAccount(a.id);
    }
    // The Redis lock turns a stampede into one winner and fast ABORTED
    // answers; correctness does not depend on it (see PoolStore::Claim).
    std::optional<redis::LockHandle> lock;
    if (locks_ != nullptr) {
      auto got = locks_->TryAcquire(absl::StrCat("lock:claim:account:", a.id),
                                    config_.claim_lock_ttl);
      if (!got.ok()) {
        log::Warn("claim lock unavailable; relying on the database",
                  {{"account", a.id}, {"error", got.status().ToString()}});
      } else if (!got->has_value()) {
        return absl::AbortedError(absl::StrCat("another claim for account ",
                                               a.id, " is in progress; retry"));
      } else {
        lock = std::move(**got);
      }
    }
    PoolStore::Claimant rep{p.user_id, p.org_path, p.region_code,
                            client::OrgPathUnitIds(p.org_path)};
    ASSIGN_OR_RETURN(AccountRecord claimed,
                     pools_->Claim(a.id, rep, req->request_id()));
    return PresentAccount(pool_, clock_, p, claimed, resp);
  });
}

grpc::Status AccountsServiceImpl::ReleaseAccount(
    grpc::ServerContext* ctx, const pb::ReleaseAccountRequest* req,
    pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    RETURN_IF_ERROR(ValidateReason(req->reason()));
    if (!a.owner_id.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("account ", a.id, " is already in a public pool"));
    }
    // A rep releases their own accounts; managers may release any they see.
    if (!IsManager(p) && *a.owner_id != p.user_id) {
      return NotFoundAccount(a.id);
    }
    int64_t pool_id = req->pool_id();
    if (pool_id == 0) {
      ASSIGN_OR_RETURN(PoolRecord pool, pools_->RegionDefault(a.region_code));
      pool_id = pool.id;
    }
    ASSIGN_OR_RETURN(
        AccountRecord moved,
        pools_->Move(a.id, MoveKind::kRelease, std::nullopt, pool_id,
                     a.owner_id, p.user_id, req->reason()));
    return PresentAccount(pool_, clock_, p, moved, resp);
  });
}

grpc::Status AccountsServiceImpl::AssignAccount(
    grpc::ServerContext* ctx, const pb::AssignAccountRequest* req,
    pb::Account* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(RequireManager(p, "assign accounts"));
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    if (req->owner_id() <= 0) return InvalidField("owner_id", "required");
    RETURN_IF_ERROR(ValidateReason(req->reason()));
    ASSIGN_OR_RETURN(idpb::User owner, LookupUser(ctx, req->owner_id()));
    ASSIGN_OR_RETURN(
        AccountRecord moved,
        pools_->Move(a.id, MoveKind::kAssign,
                     PoolStore::NewOwner{owner.id(), owner.org_path()},
                     std::nullopt,
                     a.owner_id.has_value() ? a.owner_id : std::nullopt,
                     p.user_id, req->reason()));
    return PresentAccount(pool_, clock_, p, moved, resp);
  });
}

grpc::Status AccountsServiceImpl::TransferAccounts(
    grpc::ServerContext* ctx, const pb::TransferAccountsRequest* req,
    pb::TransferAccountsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(RequireManager(p, "transfer accounts"));
    RETURN_IF_ERROR(ValidateReason(req->reason()));
    if (req->from_owner_id() <= 0)
      return InvalidField("from_owner_id", "required");
    if ((req->to_owner_id() > 0) == (req->to_pool_id() > 0)) {
      return InvalidField("to_owner_id",
                          "set exactly one of to_owner_id and to_pool_id");
    }
    // The source may be deactivated (the usual reason to transfer), so it
    // is looked up without the active check.
    grpc::ClientContext call;
    client::PrepareOnBehalf(&call, *ctx);
    ASSIGN_OR_RETURN(
        idpb::User from,
        client::LookupUser(identity_.get(), &call, req->from_owner_id(),
                           /*require_active=*/false));
    std::optional<PoolStore::NewOwner> to;
    std::optional<int64_t> pool;
    if (req->to_owner_id() > 0) {
      ASSIGN_OR_RETURN(idpb::User owner, LookupUser(ctx, req->to_owner_id()));
      to = PoolStore::NewOwner{owner.id(), owner.org_path()};
    } else {
      pool = req->to_pool_id();
    }
    ASSIGN_OR_RETURN(
        int64_t moved,
        pools_->TransferAll(from.id(), to, pool, p.user_id, req->reason()));
    resp->set_moved(moved);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ListPoolHistory(
    grpc::ServerContext* ctx, const pb::ListPoolHistoryRequest* req,
    pb::ListPoolHistoryResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    ASSIGN_OR_RETURN(
        int limit,
        paging::PageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken("ListPoolHistory",
                                                            req->page_token()));
    ASSIGN_OR_RETURN(std::vector<PoolMoveRecord> moves,
                     pools_->History(a.id, after, limit));
    for (const PoolMoveRecord& m : moves) ToProto(m, resp->add_moves());
    resp->set_next_page_token(
        paging::NextPageToken("ListPoolHistory", moves, limit));
    return absl::OkStatus();
  });
}

}  // namespace crm::accounts
