// Pipelines and loss reasons: admins configure, everyone reads.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/opportunities/opportunities_convert.h"
#include "services/opportunities/opportunities_service.h"

namespace crm::opportunities {
namespace {

absl::Status RequireAdmin(const auth::Principal& p, std::string_view what) {
  if (p.IsAdmin()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only admins may ", std::string(what)));
}

}  // namespace

grpc::Status OpportunitiesServiceImpl::CreatePipeline(
    grpc::ServerContext* ctx, const pb::CreatePipelineRequest* req,
    pb::Pipeline* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "configure pipelines"));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    PipelineDef def = PipelineFromProto(req->pipeline());
    RETURN_IF_ERROR(NormalizePipeline(&def));
    ASSIGN_OR_RETURN(PipelineDef created,
                     pipelines_->Create(def, req->request_id()));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::GetPipeline(
    grpc::ServerContext* ctx, const pb::GetPipelineRequest* req,
    pb::Pipeline* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    if (req->id() <= 0) return InvalidField("id", "must be a positive id");
    ASSIGN_OR_RETURN(PipelineDef p, pipelines_->Get(req->id()));
    ToProto(p, resp);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::ListPipelines(
    grpc::ServerContext* ctx, const pb::ListPipelinesRequest* req,
    pb::ListPipelinesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    if (!pb::CustomerType_IsValid(req->customer_type()))
      return InvalidField("customer_type", "unknown customer type");
    if (!pb::DealKind_IsValid(req->deal_kind()))
      return InvalidField("deal_kind", "unknown deal kind");
    ASSIGN_OR_RETURN(
        std::vector<PipelineDef> all,
        pipelines_->List(req->include_inactive(),
                         static_cast<CustomerType>(req->customer_type()),
                         static_cast<DealKind>(req->deal_kind())));
    for (const PipelineDef& p : all) ToProto(p, resp->add_pipelines());
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::UpdatePipeline(
    grpc::ServerContext* ctx, const pb::UpdatePipelineRequest* req,
    pb::Pipeline* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "configure pipelines"));
    const pb::Pipeline& in = req->pipeline();
    if (in.id() <= 0) return InvalidField("pipeline.id", "must be positive");
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    PipelineStore::Changes ch;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        if (in.name().empty() || in.name().size() > 100)
          return InvalidField("pipeline.name", "1..100 bytes");
        ch.name = in.name();
      } else if (path == "active") {
        ch.active = in.active();
      } else if (path == "stale_days") {
        if (in.stale_days() < 0 || in.stale_days() > 3650)
          return InvalidField("pipeline.stale_days", "must be 0..3650");
        ch.stale_days = in.stale_days();
      } else {
        return InvalidField(
            "update_mask",
            absl::StrCat("\"", path,
                         "\" cannot be updated; stages are fixed once "
                         "created: create a new pipeline instead"));
      }
    }
    ASSIGN_OR_RETURN(PipelineDef updated, pipelines_->Update(in.id(), ch));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::CreateLossReason(
    grpc::ServerContext* ctx, const pb::CreateLossReasonRequest* req,
    pb::LossReason* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "configure loss reasons"));
    LossReasonRecord r{req->reason().code(), req->reason().label(), true};
    if (!IsCode(r.code))
      return InvalidField("reason.code", "must match [a-z0-9_]{1,32}");
    if (r.label.empty() || r.label.size() > 100)
      return InvalidField("reason.label", "1..100 bytes");
    RETURN_IF_ERROR(pipelines_->CreateReason(r));
    ToProto(r, resp);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::ListLossReasons(
    grpc::ServerContext* ctx, const pb::ListLossReasonsRequest* req,
    pb::ListLossReasonsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    ASSIGN_OR_RETURN(std::vector<LossReasonRecord> all,
                     pipelines_->ListReasons(req->include_inactive()));
    for (const LossReasonRecord& r : all) ToProto(r, resp->add_reasons());
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::UpdateLossReason(
    grpc::ServerContext* ctx, const pb::UpdateLossReasonRequest* req,
    pb::LossReason* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "configure loss reasons"));
    const pb::LossReason& in = req->reason();
    if (!IsCode(in.code()))
      return InvalidField("reason.code", "must match [a-z0-9_]{1,32}");
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    std::optional<std::string> label;
    std::optional<bool> active;
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "label") {
        if (in.label().empty() || in.label().size() > 100)
          return InvalidField("reason.label", "1..100 bytes");
        label = in.label();
      } else if (path == "active") {
        active = in.active();
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    ASSIGN_OR_RETURN(LossReasonRecord r,
                     pipelines_->UpdateReason(in.code(), label, active));
    ToProto(r, resp);
    return absl::OkStatus();
  });
}

}  // namespace crm::opportunities
