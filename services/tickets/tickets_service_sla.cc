// RunSlaCheck (admin): the SLA pass of tickets_sla_job.h as of a time.
#include <google/protobuf/util/time_util.h>

#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "services/tickets/tickets_service.h"
#include "services/tickets/tickets_sla_job.h"

namespace crm::tickets {

grpc::Status TicketsServiceImpl::RunSlaCheck(grpc::ServerContext* ctx,
                                             const pb::RunSlaCheckRequest* req,
                                             pb::RunSlaCheckResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin() && !p.IsService()) {
      return absl::PermissionDeniedError("only admins run the SLA check");
    }
    const absl::Time now = clock_->Now();
    absl::Time as_of = now;
    if (req->has_as_of()) {
      const auto& t = req->as_of();
      if (t.seconds() <= 0 || t.nanos() < 0 || t.nanos() > 999999999) {
        return InvalidField("as_of", "must be a valid time");
      }
      as_of = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
    }
    ASSIGN_OR_RETURN(
        auto r, RunSlaUnderLock(*pool_, redis_, SlaJobOptions{}, as_of, now));
    if (!r.has_value()) {
      resp->set_skipped(true);
      return absl::OkStatus();
    }
    resp->set_near_breach(r->near_breach);
    resp->set_breached(r->breached);
    return absl::OkStatus();
  });
}

}  // namespace crm::tickets
