// GetForecast, GetFunnel, GetAccountsByStage: the boss's and managers'
// views (seed 000: funnel per stage, accounts grouped by opportunity
// stage; seed 002: sales board and forecast). Every report covers the
// caller's data scope, optionally narrowed to an org subtree.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/status/status.h"
#include "services/opportunities/opportunities_service.h"
#include "services/opportunities/opportunities_util.h"
#include "services/opportunities/store/report_store.h"

namespace crm::opportunities {
namespace {

constexpr int kMaxAccountsScanned = 100000;

}  // namespace

grpc::Status OpportunitiesServiceImpl::GetForecast(
    grpc::ServerContext* ctx, const pb::GetForecastRequest* req,
    pb::GetForecastResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(ValidDate("close_date_from", req->close_date_from(), true));
    RETURN_IF_ERROR(ValidDate("close_date_to", req->close_date_to(), true));
    if (req->close_date_to() < req->close_date_from())
      return InvalidField("close_date_to",
                          "must not be before close_date_from");
    if (!pb::ForecastGroup_IsValid(req->group_by()))
      return InvalidField("group_by", "unknown group");
    const ForecastGroup g = req->group_by() == pb::FORECAST_GROUP_UNSPECIFIED
                                ? ForecastGroup::kOwner
                                : static_cast<ForecastGroup>(req->group_by());
    if (req->commit_threshold_bp() < 0 || req->commit_threshold_bp() > 10000)
      return InvalidField("commit_threshold_bp", "must be 0..10000");
    const int threshold = req->commit_threshold_bp() > 0
                              ? req->commit_threshold_bp()
                              : config_.commit_threshold_bp;
    if (req->pipeline_id() < 0)
      return InvalidField("pipeline_id", "must not be negative");
    std::optional<int64_t> pipeline;
    if (req->pipeline_id() > 0) pipeline = req->pipeline_id();
    ReportScope scope;
    scope.visibility =
        auth::DataScopePredicate(p, "o.owner_id", "o.owner_org_path");
    if (req->org_unit_id() != 0) {
      ASSIGN_OR_RETURN(scope.subtree_path, UnitPath(ctx, req->org_unit_id()));
    }
    ReportStore reports(pool_);
    ASSIGN_OR_RETURN(
        std::vector<OpenCell> open,
        reports.ForecastOpen(g, scope, pipeline, req->close_date_from(),
                             req->close_date_to()));
    ASSIGN_OR_RETURN(
        std::vector<WonCell> won,
        reports.ForecastWon(g, scope, pipeline, req->close_date_from(),
                            req->close_date_to()));
    for (const ForecastLine& l : ComputeForecast(g, open, won, threshold)) {
      pb::ForecastRow* row = resp->add_rows();
      row->set_key(l.key);
      row->set_currency_code(l.currency);
      row->set_open_count(l.open_count);
      row->set_weighted_minor(l.weighted_minor);
      row->set_commit_minor(l.commit_minor);
      row->set_best_case_minor(l.best_case_minor);
      row->set_won_minor(l.won_minor);
      row->set_won_count(l.won_count);
    }
    resp->set_commit_threshold_bp(threshold);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::GetFunnel(
    grpc::ServerContext* ctx, const pb::GetFunnelRequest* req,
    pb::GetFunnelResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->pipeline_id() <= 0)
      return InvalidField("pipeline_id", "required (the funnel's pipeline)");
    if (!req->has_create_from()) return InvalidField("create_from", "required");
    if (!req->has_create_to()) return InvalidField("create_to", "required");
    ASSIGN_OR_RETURN(absl::Time from,
                     ValidTime("create_from", req->create_from()));
    ASSIGN_OR_RETURN(absl::Time to, ValidTime("create_to", req->create_to()));
    if (to <= from)
      return InvalidField("create_to", "must be after create_from");
    ASSIGN_OR_RETURN(PipelineDef pipeline, pipelines_->Get(req->pipeline_id()));
    ReportScope scope;
    if (req->org_unit_id() != 0) {
      ASSIGN_OR_RETURN(scope.subtree_path, UnitPath(ctx, req->org_unit_id()));
    }
    ReportStore reports(pool_);
    // Managers and up read whole days from the rollups (ADR 0012).
    if (p.scope != auth::DataScope::kSelf) {
      scope.rollup_visibility =
          auth::DataScopePredicate(p, "r.owner_id", "r.owner_org_path");
      // Company- or region-wide (at most two path levels): read the edge
      // periods by time; a branch or team reads its own index range.
      const std::string& path = !scope.subtree_path.empty() ? scope.subtree_path
                                : p.scope == auth::DataScope::kAll
                                    ? std::string("/")
                                    : p.org_path;
      scope.wide = std::count(path.begin(), path.end(), '/') <= 3;
    }
    scope.visibility =
        auth::DataScopePredicate(p, "o.owner_id", "o.owner_org_path");
    ASSIGN_OR_RETURN(std::vector<FunnelCell> cells,
                     reports.FunnelCells(pipeline.id, scope, from, to));
    scope.visibility =
        auth::DataScopePredicate(p, "h.owner_id", "h.owner_org_path");
    ASSIGN_OR_RETURN(std::vector<StayBucket> stays,
                     reports.StayBuckets(pipeline.id, scope, from, to));
    FunnelResult r = ComputeFunnel(pipeline, cells, stays);
    for (const FunnelStageResult& s : r.stages) {
      pb::FunnelStage* out = resp->add_stages();
      out->set_stage(s.code);
      out->set_kind(static_cast<pb::StageKind>(s.kind));
      out->set_current_count(s.current_count);
      out->set_current_amount_minor(s.current_amount_minor);
      out->set_reached_count(s.reached_count);
      out->set_conversion_to_next_bp(s.conversion_to_next_bp);
      out->set_median_days_in_stage(s.median_days_in_stage);
      out->set_completed_stays(s.completed_stays);
    }
    resp->set_total_count(r.total_count);
    resp->set_win_rate_bp(r.win_rate_bp);
    return absl::OkStatus();
  });
}

grpc::Status OpportunitiesServiceImpl::GetAccountsByStage(
    grpc::ServerContext* ctx, const pb::GetAccountsByStageRequest* req,
    pb::GetAccountsByStageResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->pipeline_id() <= 0) return InvalidField("pipeline_id", "required");
    if (req->accounts_per_stage() < 0 || req->accounts_per_stage() > 200)
      return InvalidField("accounts_per_stage", "must be 0..200");
    const int per_stage =
        req->accounts_per_stage() > 0 ? req->accounts_per_stage() : 20;
    ASSIGN_OR_RETURN(PipelineDef pipeline, pipelines_->Get(req->pipeline_id()));
    ReportScope scope;
    scope.visibility =
        auth::DataScopePredicate(p, "o.owner_id", "o.owner_org_path");
    if (req->org_unit_id() != 0) {
      ASSIGN_OR_RETURN(scope.subtree_path, UnitPath(ctx, req->org_unit_id()));
    }
    ReportStore reports(pool_);
    ASSIGN_OR_RETURN(
        std::vector<AccountStage> rows,
        reports.AccountStages(pipeline.id, scope, kMaxAccountsScanned + 1));
    if (static_cast<int>(rows.size()) > kMaxAccountsScanned) {
      return absl::ResourceExhaustedError(
          "more than 100000 accounts in scope; narrow it with org_unit_id");
    }
    for (const StageAccounts& s :
         GroupAccountsByStage(rows, pipeline.OpenCount(), per_stage)) {
      pb::AccountsAtStage* out = resp->add_stages();
      out->set_stage(pipeline.stages[s.stage].code);
      out->set_account_count(s.count);
      for (int64_t id : s.sample) out->add_account_ids(id);
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::opportunities
