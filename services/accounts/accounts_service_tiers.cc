// The tier policy (A/B/C by amount signed over a trailing window) and its
// recompute. Admins change it; managers and admins may read it. A change
// applies to everyone at the next recompute (RecomputeTiers, or the
// scheduled round within its interval).
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/store/tier_store.h"

namespace crm::accounts {
namespace {

void ToProto(const TierSettings& s, pb::TierSettings* out) {
  out->set_window_days(s.window_days);
  out->mutable_tier_a_min()->set_currency_code(s.currency);
  out->mutable_tier_a_min()->set_amount_minor(s.tier_a_min_minor);
  out->mutable_tier_b_min()->set_currency_code(s.currency);
  out->mutable_tier_b_min()->set_amount_minor(s.tier_b_min_minor);
}

absl::StatusOr<TierSettings> FromProto(const pb::TierSettings& in) {
  TierSettings s;
  s.window_days = in.window_days();
  s.tier_a_min_minor = in.tier_a_min().amount_minor();
  s.tier_b_min_minor = in.tier_b_min().amount_minor();
  s.currency = in.tier_a_min().currency_code();
  if (in.tier_b_min().currency_code() != s.currency) {
    return InvalidField("tier_b_min.currency_code",
                        "must equal tier_a_min.currency_code");
  }
  RETURN_IF_ERROR(ValidateTierSettings(s));
  return s;
}

}  // namespace

grpc::Status AccountsServiceImpl::GetTierSettings(
    grpc::ServerContext* ctx, const pb::GetTierSettingsRequest*,
    pb::TierSettings* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "read the tier settings"));
    TierSettings s;
    RETURN_IF_ERROR(
        db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(s, TierStore::Settings(c));
          return absl::OkStatus();
        }));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::UpdateTierSettings(
    grpc::ServerContext* ctx, const pb::UpdateTierSettingsRequest* req,
    pb::TierSettings* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError(
          "only admins may change the tier settings");
    if (!req->has_settings()) return InvalidField("settings", "required");
    absl::StatusOr<TierSettings> s = FromProto(req->settings());
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("settings.", s.status().message()));
    }
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      return TierStore::SaveSettings(c, *s, clock_->Now());
    }));
    ToProto(*s, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::RecomputeTiers(
    grpc::ServerContext* ctx, const pb::RecomputeTiersRequest* req,
    pb::RecomputeTiersResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may recompute tiers");
    absl::Time as_of = clock_->Now();
    if (req->has_as_of()) {
      ASSIGN_OR_RETURN(as_of, ValidTime("as_of", req->as_of()));
    }
    ASSIGN_OR_RETURN(TierStore::RecomputeResult r,
                     TierStore::RecomputeAll(*pool_, as_of));
    resp->set_scanned(r.scanned);
    resp->set_changed(r.changed);
    return absl::OkStatus();
  });
}

}  // namespace crm::accounts
