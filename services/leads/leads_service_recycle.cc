// RunLeadRecycle: the admin trigger of the scheduled recycle, as of a time.
#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "services/leads/leads_service.h"
#include "services/leads/leads_service_recycle_job.h"
#include "services/leads/proto_convert.h"

namespace crm::leads {

grpc::Status LeadsServiceImpl::RunLeadRecycle(
    grpc::ServerContext* ctx, const pb::RunLeadRecycleRequest* req,
    pb::RunLeadRecycleResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may run the recycle");
    absl::Time as_of = clock_->Now();
    if (req->has_as_of()) {
      ASSIGN_OR_RETURN(as_of, ValidTime("as_of", req->as_of()));
    }
    RecycleJobOptions options;
    options.recycle_after = config_.recycle_after;
    ASSIGN_OR_RETURN(
        auto ids, RunRecycleUnderLock(pool_, redis_, clock_, options, as_of));
    if (!ids.has_value()) {
      return absl::AbortedError(
          "the scheduled recycle is running right now; retry");
    }
    resp->set_recycled(static_cast<int64_t>(ids->size()));
    for (int64_t id : *ids) resp->add_lead_ids(id);
    return absl::OkStatus();
  });
}

}  // namespace crm::leads
