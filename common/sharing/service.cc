#include "common/sharing/service.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/client/client.h"
#include "common/client/user_lookup.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"

namespace crm::sharing {
namespace {

namespace idpb = crm::identity::v1;

constexpr char kListSharedWithMe[] = "ListSharedWithMe";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

absl::Status RequireRequestId(const std::string& request_id) {
  if (request_id.empty())
    return InvalidField("request_id", "required (the idempotency key)");
  return validate::ValidateRequestId(request_id);
}

absl::Status CheckEntityId(int64_t id) {
  if (id <= 0) return InvalidField("entity_id", "must be a positive id");
  return absl::OkStatus();
}

// A retry must name the same share and action as the first call.
absl::Status SameRequest(const PriorRequest& prior, std::string_view action,
                         const std::string& entity_type, int64_t entity_id,
                         int64_t grantee_id) {
  if (prior.action != action || prior.share.entity_type != entity_type ||
      prior.share.entity_id != entity_id ||
      prior.share.grantee_id != grantee_id) {
    return InvalidField("request_id",
                        "already used by another share or revoke request");
  }
  return absl::OkStatus();
}

// A retried share or revoke answers with the first result when the caller
// may still see the record (or made that change: `prior_actor`) and the
// retry names the same share and action.
absl::Status CheckRetry(const auth::Principal& p, const RecordRef& record,
                        Access held, const PriorRequest& prior,
                        int64_t prior_actor, std::string_view action,
                        const std::string& entity_type, int64_t entity_id,
                        int64_t grantee_id) {
  if (EffectiveAccess(p, record, held) == Access::kNone &&
      prior_actor != p.user_id)
    return NotFoundRecord(record);
  return SameRequest(prior, action, entity_type, entity_id, grantee_id);
}

}  // namespace

void ToProto(const Share& s, v1::Share* out) {
  out->set_id(s.id);
  out->set_entity_type(s.entity_type);
  out->set_entity_id(s.entity_id);
  out->set_grantee_id(s.grantee_id);
  out->set_access(static_cast<v1::ShareAccess>(static_cast<int>(s.access)));
  out->set_active(s.active);
  out->set_granted_by(s.granted_by);
  SetTime(s.granted_at, out->mutable_grant_time());
  out->set_revoked_by(s.revoked_by);
  if (s.revoked_at.has_value())
    SetTime(*s.revoked_at, out->mutable_revoke_time());
}

absl::Status GranteeCheck::Check(int64_t user_id) const {
  if (credentials_ == nullptr)
    return absl::UnavailableError("identity service not configured");
  grpc::ClientContext call;
  client::Prepare(&call, credentials_->Token(), absl::Seconds(5));
  return client::LookupUser(identity_.get(), &call, user_id).status();
}

SharingServiceImpl::SharingServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool,
    std::shared_ptr<const Clock> clock,
    std::shared_ptr<idpb::IdentityService::StubInterface> identity,
    std::shared_ptr<auth::ServiceCredentials> credentials,
    std::vector<Target> targets)
    : store_(std::move(pool), std::move(clock)),
      grantees_(std::move(identity), std::move(credentials)),
      targets_(std::move(targets)) {}

absl::StatusOr<Target> SharingServiceImpl::TargetOf(
    const std::string& entity_type) const {
  if (entity_type.empty() && targets_.size() == 1) return targets_.front();
  std::string known;
  for (const Target& t : targets_) {
    if (t.entity_type == entity_type) return t;
    absl::StrAppend(&known, known.empty() ? "" : ", ", t.entity_type);
  }
  return InvalidField("entity_type",
                      absl::StrCat("must be one this service shares: ", known));
}

absl::StatusOr<std::pair<RecordRef, Access>> SharingServiceImpl::Load(
    const auth::Principal& p, const Target& t, int64_t entity_id) {
  RETURN_IF_ERROR(CheckEntityId(entity_id));
  ASSIGN_OR_RETURN(RecordRef r, store_.Record(t, entity_id));
  ASSIGN_OR_RETURN(Access held,
                   store_.AccessOf(t.entity_type, entity_id, p.user_id));
  return std::make_pair(std::move(r), held);
}

grpc::Status SharingServiceImpl::ShareRecord(grpc::ServerContext* ctx,
                                             const v1::ShareRecordRequest* req,
                                             v1::Share* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    ASSIGN_OR_RETURN(Target t, TargetOf(req->entity_type()));
    RETURN_IF_ERROR(CheckEntityId(req->entity_id()));
    if (req->grantee_id() <= 0)
      return InvalidField("grantee_id", "must be a positive user id");
    const Access access = req->access() == v1::SHARE_ACCESS_READ ? Access::kRead
                          : req->access() == v1::SHARE_ACCESS_EDIT
                              ? Access::kEdit
                              : Access::kNone;
    if (access == Access::kNone)
      return InvalidField("access", "must be READ or EDIT");
    RETURN_IF_ERROR(RequireRequestId(req->request_id()));
    ASSIGN_OR_RETURN(auto loaded, Load(p, t, req->entity_id()));
    auto& [record, held] = loaded;
    ASSIGN_OR_RETURN(std::optional<PriorRequest> prior,
                     store_.FindRequest(req->request_id()));
    if (prior.has_value()) {
      RETURN_IF_ERROR(CheckRetry(
          p, record, held, *prior, prior->share.granted_by, kActionShare,
          t.entity_type, req->entity_id(), req->grantee_id()));
      ToProto(prior->share, resp);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(CheckShare(p, record, held, req->grantee_id(), access));
    RETURN_IF_ERROR(grantees_.Check(req->grantee_id()));
    ASSIGN_OR_RETURN(Share s, store_.Grant(t, record, req->grantee_id(), access,
                                           p.user_id, req->request_id()));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status SharingServiceImpl::RevokeShare(grpc::ServerContext* ctx,
                                             const v1::RevokeShareRequest* req,
                                             v1::Share* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    ASSIGN_OR_RETURN(Target t, TargetOf(req->entity_type()));
    RETURN_IF_ERROR(CheckEntityId(req->entity_id()));
    if (req->grantee_id() <= 0)
      return InvalidField("grantee_id", "must be a positive user id");
    RETURN_IF_ERROR(RequireRequestId(req->request_id()));
    ASSIGN_OR_RETURN(auto loaded, Load(p, t, req->entity_id()));
    auto& [record, held] = loaded;
    ASSIGN_OR_RETURN(std::optional<PriorRequest> prior,
                     store_.FindRequest(req->request_id()));
    if (prior.has_value()) {
      RETURN_IF_ERROR(CheckRetry(
          p, record, held, *prior, prior->share.revoked_by, kActionUnshare,
          t.entity_type, req->entity_id(), req->grantee_id()));
      ToProto(prior->share, resp);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(
        std::optional<Share> share,
        store_.Find(t.entity_type, req->entity_id(), req->grantee_id()));
    RETURN_IF_ERROR(CheckRevoke(p, record, held,
                                share.has_value() ? share->granted_by : 0));
    if (!share.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("user ", req->grantee_id(), " has no share on ",
                       t.entity_type, " ", req->entity_id()));
    }
    ASSIGN_OR_RETURN(Share s, store_.Revoke(t, record, req->grantee_id(),
                                            p.user_id, req->request_id()));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status SharingServiceImpl::ListShares(grpc::ServerContext* ctx,
                                            const v1::ListSharesRequest* req,
                                            v1::ListSharesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(Target t, TargetOf(req->entity_type()));
    ASSIGN_OR_RETURN(auto loaded, Load(p, t, req->entity_id()));
    RETURN_IF_ERROR(CheckListShares(p, loaded.first, loaded.second));
    ASSIGN_OR_RETURN(
        std::vector<Share> shares,
        store_.List(t.entity_type, req->entity_id(), req->include_revoked()));
    for (const Share& s : shares) ToProto(s, resp->add_shares());
    return absl::OkStatus();
  });
}

grpc::Status SharingServiceImpl::ListSharedWithMe(
    grpc::ServerContext* ctx, const v1::ListSharedWithMeRequest* req,
    v1::ListSharedWithMeResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(Target t, TargetOf(req->entity_type()));
    ASSIGN_OR_RETURN(
        int limit,
        paging::PageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken(kListSharedWithMe,
                                                            req->page_token()));
    if (p.user_id <= 0) return absl::OkStatus();  // a service: nothing shared
    ASSIGN_OR_RETURN(std::vector<SharedItem> items,
                     store_.SharedWith(t, p.user_id, after, limit));
    for (const SharedItem& item : items) {
      v1::SharedRecord* out = resp->add_records();
      ToProto(item.share, out->mutable_share());
      out->set_name(item.name);
      out->set_owner_id(item.owner_id);
    }
    if (static_cast<int>(items.size()) == limit && !items.empty()) {
      resp->set_next_page_token(paging::EncodePageToken(
          kListSharedWithMe, items.back().share.entity_id));
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::sharing
