// Recycling (RunRecycle) and the anti-collusion report (ListPoolAnomalies).
#include <map>

#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/accounts_service_recycle_job.h"
#include "services/accounts/handler_util.h"
#include "services/identity/proto_convert.h"

namespace crm::accounts {
namespace {

namespace idpb = crm::identity::v1;

// A release by rep A followed by rep B's claim of the same account within
// this window counts as one pair; a pair of reps is flagged from this many.
constexpr absl::Duration kAnomalyWindow = absl::Minutes(30);
constexpr int kAnomalyMinCount = 2;
constexpr absl::Duration kAnomalyDefaultLookback = absl::Hours(24 * 30);
constexpr int kAnomalyLimit = 200;

}  // namespace

grpc::Status AccountsServiceImpl::RunRecycle(grpc::ServerContext* ctx,
                                             const pb::RunRecycleRequest* req,
                                             pb::RunRecycleResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may run recycling");
    absl::Time as_of = clock_->Now();
    if (req->has_as_of()) {
      ASSIGN_OR_RETURN(as_of, ValidTime("as_of", req->as_of()));
    }
    // The same pass, under the same leader lock, as the scheduled job.
    RecycleJobOptions options;
    options.recycle.default_claim_rules = config_.default_claim_rules;
    auto result = RunRecycleUnderLock(pool_, redis_, clock_, options, as_of);
    if (!result.ok() && absl::IsUnavailable(result.status()) &&
        redis_ != nullptr) {
      // Redis down: the pass is idempotent in MySQL, run it unguarded.
      result = RunRecycleUnderLock(pool_, nullptr, clock_, options, as_of);
    }
    RETURN_IF_ERROR(result.status());
    if (!result->has_value()) {
      return absl::AbortedError(
          "a recycle pass is already running (scheduled job); retry later");
    }
    resp->set_recycled((*result)->recycled);
    resp->set_warned((*result)->warned);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ListPoolAnomalies(
    grpc::ServerContext* ctx, const pb::ListPoolAnomaliesRequest* req,
    pb::ListPoolAnomaliesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (p.scope == auth::DataScope::kSelf) {
      return absl::PermissionDeniedError(
          "only managers and admins may review pool anomalies");
    }
    absl::Time since = clock_->Now() - kAnomalyDefaultLookback;
    if (req->has_since()) {
      ASSIGN_OR_RETURN(since, ValidTime("since", req->since()));
    }
    RecycleStore store(pool_, clock_, RecycleOptions{});
    ASSIGN_OR_RETURN(std::vector<PoolAnomalyRecord> found,
                     store.Anomalies(since, kAnomalyWindow, kAnomalyMinCount,
                                     kAnomalyLimit));
    // Scope: a pair is shown when the caller's scope covers the releaser or
    // the claimer. Identity answers with the caller's token, so a user
    // outside the scope is NOT_FOUND; deactivated users still resolve.
    std::map<int64_t, bool> visible;
    auto sees = [&](int64_t user_id) -> absl::StatusOr<bool> {
      if (p.scope == auth::DataScope::kAll) return true;
      auto it = visible.find(user_id);
      if (it != visible.end()) return it->second;
      if (identity_ == nullptr)
        return absl::UnavailableError("identity service not configured");
      grpc::ClientContext call;
      client::PrepareOnBehalf(&call, *ctx);
      idpb::GetUserRequest get;
      get.set_id(user_id);
      idpb::User user;
      absl::Status s = FromGrpcStatus(identity_->GetUser(&call, get, &user));
      if (!s.ok() && !absl::IsNotFound(s) && !absl::IsPermissionDenied(s))
        return s;
      const bool ok = s.ok() && auth::CanSee(p, user.id(), user.org_path());
      visible[user_id] = ok;
      return ok;
    };
    for (const PoolAnomalyRecord& a : found) {
      ASSIGN_OR_RETURN(bool releaser, sees(a.releaser_id));
      ASSIGN_OR_RETURN(bool claimer, sees(a.claimer_id));
      if (!releaser && !claimer) continue;
      pb::PoolAnomaly* out = resp->add_anomalies();
      out->set_releaser_id(a.releaser_id);
      out->set_claimer_id(a.claimer_id);
      out->set_count(static_cast<int32_t>(a.count));
      for (int64_t id : a.account_ids) out->add_account_ids(id);
      identity::ToTimestamp(a.last_at, out->mutable_last_time());
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::accounts
