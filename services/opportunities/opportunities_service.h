// gRPC handlers of crm.opportunities.v1.OpportunitiesService: validate,
// authorize, call the stores and domain rules, map to protobuf.
//
// Visibility: an opportunity follows the org-tree data scope of its owner
// (reps their own, managers their subtree, admins all); what the caller
// may not see is NOT_FOUND, like a missing id (ADR 0002).
//
// Handlers live in opportunities_service*.cc, one file per feature.
#pragma once

#include <functional>
#include <memory>

#include "common/auth/principal.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/redis/redis_pool.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "services/opportunities/domain/stage_rules.h"
#include "services/opportunities/store/opportunity_store.h"
#include "services/opportunities/store/pipeline_store.h"

namespace crm::opportunities {

namespace pb = crm::opportunities::v1;

struct OpportunitiesConfig {
  // Days without a stage change or activity before an open opportunity is
  // stale, for pipelines whose stale_days is 0.
  int default_stale_days = 30;
  // GetForecast's commit: stages with probability_bp >= this.
  int commit_threshold_bp = 7000;
};

class OpportunitiesServiceImpl final
    : public pb::OpportunitiesService::Service {
 public:
  // `accounts` verifies accounts and `identity` resolves users and org
  // units; both are called with the caller's own token so they apply the
  // caller's data scope. `redis` (the stale check's leader lock) may be
  // null. `orders` creates draft contracts for MarkWon's create_contract,
  // with the caller's token; when null, create_contract is UNAVAILABLE.
  OpportunitiesServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
      std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface>
          accounts,
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<const Clock> clock, OpportunitiesConfig config,
      std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders =
          nullptr);

  // Configuration: opportunities_service_config.cc.
  grpc::Status CreatePipeline(grpc::ServerContext*,
                              const pb::CreatePipelineRequest*,
                              pb::Pipeline*) override;
  grpc::Status GetPipeline(grpc::ServerContext*, const pb::GetPipelineRequest*,
                           pb::Pipeline*) override;
  grpc::Status ListPipelines(grpc::ServerContext*,
                             const pb::ListPipelinesRequest*,
                             pb::ListPipelinesResponse*) override;
  grpc::Status UpdatePipeline(grpc::ServerContext*,
                              const pb::UpdatePipelineRequest*,
                              pb::Pipeline*) override;
  grpc::Status CreateLossReason(grpc::ServerContext*,
                                const pb::CreateLossReasonRequest*,
                                pb::LossReason*) override;
  grpc::Status ListLossReasons(grpc::ServerContext*,
                               const pb::ListLossReasonsRequest*,
                               pb::ListLossReasonsResponse*) override;
  grpc::Status UpdateLossReason(grpc::ServerContext*,
                                const pb::UpdateLossReasonRequest*,
                                pb::LossReason*) override;

  // Opportunities: opportunities_service.cc.
  grpc::Status CreateOpportunity(grpc::ServerContext*,
                                 const pb::CreateOpportunityRequest*,
                                 pb::Opportunity*) override;
  grpc::Status GetOpportunity(grpc::ServerContext*,
                              const pb::GetOpportunityRequest*,
                              pb::Opportunity*) override;
  grpc::Status ListOpportunities(grpc::ServerContext*,
                                 const pb::ListOpportunitiesRequest*,
                                 pb::ListOpportunitiesResponse*) override;
  grpc::Status UpdateOpportunity(grpc::ServerContext*,
                                 const pb::UpdateOpportunityRequest*,
                                 pb::Opportunity*) override;

  // Stage changes: opportunities_service_stages.cc.
  grpc::Status MoveStage(grpc::ServerContext*, const pb::MoveStageRequest*,
                         pb::Opportunity*) override;
  grpc::Status MarkWon(grpc::ServerContext*, const pb::MarkWonRequest*,
                       pb::Opportunity*) override;
  grpc::Status MarkLost(grpc::ServerContext*, const pb::MarkLostRequest*,
                        pb::Opportunity*) override;
  grpc::Status Reopen(grpc::ServerContext*, const pb::ReopenRequest*,
                      pb::Opportunity*) override;
  grpc::Status RecordActivity(grpc::ServerContext*,
                              const pb::RecordActivityRequest*,
                              pb::Opportunity*) override;
  grpc::Status ListStageHistory(grpc::ServerContext*,
                                const pb::ListStageHistoryRequest*,
                                pb::ListStageHistoryResponse*) override;

  // Stale check: opportunities_service_stale.cc.
  grpc::Status RunStaleCheck(grpc::ServerContext*,
                             const pb::RunStaleCheckRequest*,
                             pb::RunStaleCheckResponse*) override;

  // Reports: opportunities_service_reports.cc.
  grpc::Status GetForecast(grpc::ServerContext*, const pb::GetForecastRequest*,
                           pb::GetForecastResponse*) override;
  grpc::Status GetFunnel(grpc::ServerContext*, const pb::GetFunnelRequest*,
                         pb::GetFunnelResponse*) override;
  grpc::Status GetAccountsByStage(grpc::ServerContext*,
                                  const pb::GetAccountsByStageRequest*,
                                  pb::GetAccountsByStageResponse*) override;

 private:
  // The opportunity if the caller may see it, else NOT_FOUND.
  absl::StatusOr<OpportunityRecord> VisibleOpportunity(const auth::Principal& p,
                                                       int64_t id);
  // An active user the caller may see, from identity (NOT_FOUND otherwise).
  absl::StatusOr<crm::identity::v1::User> LookupUser(grpc::ServerContext* ctx,
                                                     int64_t id);
  // The path of an org unit the caller may see (identity decides).
  absl::StatusOr<std::string> UnitPath(grpc::ServerContext* ctx, int64_t id);
  // The account, asked of accounts with the caller's token.
  absl::StatusOr<crm::accounts::v1::Account> LookupAccount(
      grpc::ServerContext* ctx, int64_t id);
  // MarkWon's create_contract: checks that `o` could be won, then creates
  // (or, on a retry, finds) its draft contract in orders; returns the
  // contract id as text. Opportunities_service_contract.cc.
  absl::StatusOr<std::string> CreateDraftContract(
      grpc::ServerContext* ctx, const auth::Principal& p,
      const pb::MarkWonRequest& req);
  // Runs a stage transition planned by `plan` on the locked row.
  using TransitionPlanner = std::function<absl::StatusOr<Transition>(
      const PipelineDef&, const OpportunityRecord&)>;
  absl::StatusOr<OpportunityRecord> RunTransition(
      const auth::Principal& p, int64_t id, int64_t expected_version,
      const std::string& reason, const std::string& note,
      const TransitionPlanner& plan);

  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts_;
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders_;
  std::shared_ptr<const Clock> clock_;
  OpportunitiesConfig config_;
  std::shared_ptr<PipelineStore> pipelines_;
  std::shared_ptr<OpportunityStore> opportunities_;
};

}  // namespace crm::opportunities
