// RunStaleCheck: the admin trigger of the scheduled stale check.
#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "services/opportunities/opportunities_service.h"
#include "services/opportunities/opportunities_stale_job.h"
#include "services/opportunities/opportunities_util.h"

namespace crm::opportunities {

grpc::Status OpportunitiesServiceImpl::RunStaleCheck(
    grpc::ServerContext* ctx, const pb::RunStaleCheckRequest* req,
    pb::RunStaleCheckResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may run the stale check");
    absl::Time as_of = clock_->Now();
    if (req->has_as_of()) {
      ASSIGN_OR_RETURN(as_of, ValidTime("as_of", req->as_of()));
    }
    StaleJobOptions options;
    options.default_stale_days = config_.default_stale_days;
    auto n = RunStaleUnderLock(pool_, redis_, clock_, options, as_of);
    if (!n.ok() && absl::IsUnavailable(n.status()) && redis_ != nullptr) {
      // Redis down: the pass is idempotent in MySQL, run it unguarded.
      n = RunStaleUnderLock(pool_, nullptr, clock_, options, as_of);
    }
    RETURN_IF_ERROR(n.status());
    if (!n->has_value()) {
      return absl::AbortedError(
          "a stale check is already running (scheduled job); retry later");
    }
    resp->set_alerted(**n);
    return absl::OkStatus();
  });
}

}  // namespace crm::opportunities
