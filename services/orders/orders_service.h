// gRPC handlers of crm.orders.v1.OrdersService: validate, authorize, call
// the stores and domain rules, map to protobuf.
//
// Visibility: contracts (and their payments, installments, invoices)
// follow the org-tree data scope of their owner, as accounts do; what the
// caller may not see is NOT_FOUND, like a missing id.
//
// Handlers live in orders_service_*.cc, one file per feature.
#pragma once

#include <memory>

#include "common/auth/principal.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/redis/redis_pool.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "services/orders/domain/periods.h"
#include "services/orders/leaderboards.h"
#include "services/orders/store/records.h"

namespace crm::orders {

namespace pb = crm::orders::v1;

inline constexpr char kServiceName[] = "orders";

struct OrdersConfig {
  // Rows one overdue pass handles per transaction.
  int overdue_batch = 200;
  // Day boundaries of periods, boards and overdue checks (ADR 0035).
  BusinessCalendar calendar;
};

class OrdersServiceImpl final : public pb::OrdersService::Service {
 public:
  // `redis` may be null (leaderboards are then unavailable); `accounts`
  // and `identity` are called with the caller's own token (the account,
  // user or org unit must be visible to the caller). Without `identity`
  // SetTarget is UNAVAILABLE.
  OrdersServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
      std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface>
          accounts,
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<const Clock> clock, OrdersConfig config = {});

  const BusinessCalendar& calendar() const { return config_.calendar; }

  // products and quotes: orders_service_products.cc, orders_service_quotes.cc
  grpc::Status CreateProduct(grpc::ServerContext*,
                             const pb::CreateProductRequest*,
                             pb::Product*) override;
  grpc::Status GetProduct(grpc::ServerContext*, const pb::GetProductRequest*,
                          pb::Product*) override;
  grpc::Status ListProducts(grpc::ServerContext*,
                            const pb::ListProductsRequest*,
                            pb::ListProductsResponse*) override;
  grpc::Status UpdateProduct(grpc::ServerContext*,
                             const pb::UpdateProductRequest*,
                             pb::Product*) override;
  grpc::Status SetRegionPrice(grpc::ServerContext*,
                              const pb::SetRegionPriceRequest*,
                              pb::RegionPrice*) override;
  grpc::Status ListRegionPrices(grpc::ServerContext*,
                                const pb::ListRegionPricesRequest*,
                                pb::ListRegionPricesResponse*) override;
  grpc::Status CreateQuote(grpc::ServerContext*, const pb::CreateQuoteRequest*,
                           pb::Quote*) override;
  grpc::Status GetQuote(grpc::ServerContext*, const pb::GetQuoteRequest*,
                        pb::Quote*) override;
  grpc::Status ListQuotes(grpc::ServerContext*, const pb::ListQuotesRequest*,
                          pb::ListQuotesResponse*) override;
  grpc::Status ApproveQuote(grpc::ServerContext*,
                            const pb::ApproveQuoteRequest*,
                            pb::Quote*) override;
  grpc::Status RejectQuote(grpc::ServerContext*, const pb::RejectQuoteRequest*,
                           pb::Quote*) override;

  // contracts: orders_service_contracts.cc
  grpc::Status CreateContract(grpc::ServerContext*,
                              const pb::CreateContractRequest*,
                              pb::Contract*) override;
  grpc::Status GetContract(grpc::ServerContext*, const pb::GetContractRequest*,
                           pb::Contract*) override;
  grpc::Status ListContracts(grpc::ServerContext*,
                             const pb::ListContractsRequest*,
                             pb::ListContractsResponse*) override;
  grpc::Status UpdateContract(grpc::ServerContext*,
                              const pb::UpdateContractRequest*,
                              pb::Contract*) override;

  // approval and signing: orders_service_approval.cc
  grpc::Status SetApprovalChains(grpc::ServerContext*,
                                 const pb::SetApprovalChainsRequest*,
                                 pb::ApprovalChains*) override;
  grpc::Status GetApprovalChains(grpc::ServerContext*,
                                 const pb::GetApprovalChainsRequest*,
                                 pb::ApprovalChains*) override;
  grpc::Status SubmitContract(grpc::ServerContext*,
                              const pb::SubmitContractRequest*,
                              pb::Contract*) override;
  grpc::Status ApproveContract(grpc::ServerContext*,
                               const pb::ApproveContractRequest*,
                               pb::Contract*) override;
  grpc::Status RejectContract(grpc::ServerContext*,
                              const pb::RejectContractRequest*,
                              pb::Contract*) override;
  grpc::Status ResubmitContract(grpc::ServerContext*,
                                const pb::ResubmitContractRequest*,
                                pb::Contract*) override;
  grpc::Status ListApprovalHistory(grpc::ServerContext*,
                                   const pb::ListApprovalHistoryRequest*,
                                   pb::ListApprovalHistoryResponse*) override;
  grpc::Status SignContract(grpc::ServerContext*,
                            const pb::SignContractRequest*,
                            pb::Contract*) override;

  // payments and collection: orders_service_payments.cc
  grpc::Status RecordPayment(grpc::ServerContext*,
                             const pb::RecordPaymentRequest*,
                             pb::Payment*) override;
  grpc::Status ListPayments(grpc::ServerContext*,
                            const pb::ListPaymentsRequest*,
                            pb::ListPaymentsResponse*) override;
  grpc::Status RunOverdueCheck(grpc::ServerContext*,
                               const pb::RunOverdueCheckRequest*,
                               pb::RunOverdueCheckResponse*) override;
  grpc::Status ListPendingCollections(
      grpc::ServerContext*, const pb::ListPendingCollectionsRequest*,
      pb::ListPendingCollectionsResponse*) override;

  // invoices: orders_service_invoices.cc
  grpc::Status RequestInvoice(grpc::ServerContext*,
                              const pb::RequestInvoiceRequest*,
                              pb::Invoice*) override;
  grpc::Status IssueInvoice(grpc::ServerContext*,
                            const pb::IssueInvoiceRequest*,
                            pb::Invoice*) override;
  grpc::Status VoidInvoice(grpc::ServerContext*, const pb::VoidInvoiceRequest*,
                           pb::Invoice*) override;
  grpc::Status ListInvoices(grpc::ServerContext*,
                            const pb::ListInvoicesRequest*,
                            pb::ListInvoicesResponse*) override;

  // targets, boards, dashboard: orders_service_targets.cc,
  // orders_service_leaderboards.cc
  grpc::Status SetTarget(grpc::ServerContext*, const pb::SetTargetRequest*,
                         pb::Target*) override;
  grpc::Status ListTargets(grpc::ServerContext*, const pb::ListTargetsRequest*,
                           pb::ListTargetsResponse*) override;
  grpc::Status GetAchievement(grpc::ServerContext*,
                              const pb::GetAchievementRequest*,
                              pb::Achievement*) override;
  grpc::Status GetLeaderboard(grpc::ServerContext*,
                              const pb::GetLeaderboardRequest*,
                              pb::Leaderboard*) override;
  grpc::Status RebuildLeaderboards(grpc::ServerContext*,
                                   const pb::RebuildLeaderboardsRequest*,
                                   pb::RebuildLeaderboardsResponse*) override;
  grpc::Status ListRenewalCandidates(
      grpc::ServerContext*, const pb::ListRenewalCandidatesRequest*,
      pb::ListRenewalCandidatesResponse*) override;
  grpc::Status GetBusinessSummary(grpc::ServerContext*,
                                  const pb::GetBusinessSummaryRequest*,
                                  pb::BusinessSummary*) override;

 private:
  // The contract if the caller may see it, else NOT_FOUND (same message as
  // a missing one). Inside a transaction with `for_update` it is locked.
  absl::StatusOr<ContractRecord> VisibleContract(db::Connection& c,
                                                 const auth::Principal& p,
                                                 int64_t id,
                                                 bool for_update = false);
  // ApproveContract / RejectContract: `p` decides step `step` of contract
  // `id` (kApprove or kReject, with the comment in its approval history);
  // the contract moves to its next step, approved or rejected.
  absl::Status DecideContractStep(const auth::Principal& p, int64_t id,
                                  int step, const std::string& comment,
                                  ApprovalAction action, pb::Contract* resp);
  // The account through the accounts service, as the caller.
  absl::StatusOr<crm::accounts::v1::Account> LookupAccount(
      grpc::ServerContext* ctx, int64_t id);
  // The user through identity, as the caller: NOT_FOUND "user <id> not
  // found" when it does not exist or is outside the caller's scope.
  absl::StatusOr<crm::identity::v1::User> LookupUser(grpc::ServerContext* ctx,
                                                     int64_t id);
  // The org unit at the end of `org_path` through identity, as the caller:
  // NOT_FOUND "org unit <path> not found" unless it exists, is visible and
  // sits exactly at `org_path`.
  absl::Status CheckOrgUnit(grpc::ServerContext* ctx,
                            const std::string& org_path);
  // In a signing's / payment's transaction, before BumpBoards: the row that
  // says its bump is not applied yet (ADR 0098); 0 when there are no boards.
  absl::StatusOr<int64_t> MarkBumpPending(db::Connection& c, BoardMetric metric,
                                          absl::CivilDay day, absl::Time now);
  // Board updates after a committed signing / payment. A failure is logged
  // and leaves `pending_id` (MarkBumpPending) in place: LeaderboardJob then
  // rebuilds that day's boards from MySQL.
  void BumpBoards(BoardMetric metric, absl::CivilDay day, int64_t owner_id,
                  const std::string& owner_org_path, int64_t amount_minor,
                  int64_t pending_id);
  // After a read found no ready key (ADR 0095): rebuilds `period` and the
  // previous one under the leader lock, or waits up to 2 s for whoever
  // holds it.
  absl::Status EnsureBoardsBuilt(const Period& period);

  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts_;
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<const Clock> clock_;
  OrdersConfig config_;
  std::unique_ptr<Leaderboards> boards_;
};

}  // namespace crm::orders
