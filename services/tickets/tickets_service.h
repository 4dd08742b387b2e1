// gRPC handlers of crm.tickets.v1.TicketsService: validate, authorize, call
// the stores and domain rules, map to protobuf.
//
// Visibility (ADR 0060): admins (and service tokens) see every ticket;
// support managers (and bosses) the tickets of support groups in their org
// subtree; everyone sees the tickets they created or are assigned; support
// agents also see the unassigned tickets (the pool) of their groups.
// What the caller may not see is NOT_FOUND, like a missing id.
//
// Handlers live in tickets_service_*.cc, one file per feature.
#pragma once

#include <memory>

#include "common/auth/principal.h"
#include "common/auth/service_credentials.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/redis/redis_pool.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "crm/tickets/v1/tickets.grpc.pb.h"
#include "services/tickets/domain/eligibility.h"
#include "services/tickets/store/records.h"
#include "services/tickets/store/ticket_store.h"

namespace crm::tickets {

namespace pb = crm::tickets::v1;

inline constexpr char kServiceName[] = "tickets";

struct TicketsConfig {
  absl::Duration grab_lock_ttl = absl::Seconds(5);
};

class TicketsServiceImpl final : public pb::TicketsService::Service {
 public:
  // `redis` may be null (grabs then rely on the conditional UPDATE alone).
  // accounts / orders are called with the caller's token; for support
  // staff (who serve every customer) with `credentials` when given.
  TicketsServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
      std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface>
          accounts,
      std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders,
      std::shared_ptr<auth::ServiceCredentials> credentials,
      std::shared_ptr<const Clock> clock, TicketsConfig config = {});

  // configuration: tickets_service_config.cc
  grpc::Status UpsertTicketType(grpc::ServerContext*, const pb::TicketType*,
                                pb::TicketType*) override;
  grpc::Status ListTicketTypes(grpc::ServerContext*,
                               const pb::ListTicketTypesRequest*,
                               pb::ListTicketTypesResponse*) override;
  grpc::Status CreateSupportGroup(grpc::ServerContext*,
                                  const pb::CreateSupportGroupRequest*,
                                  pb::SupportGroup*) override;
  grpc::Status SetGroupAgent(grpc::ServerContext*,
                             const pb::SetGroupAgentRequest*,
                             pb::SupportGroup*) override;
  grpc::Status GetSupportGroup(grpc::ServerContext*,
                               const pb::GetSupportGroupRequest*,
                               pb::SupportGroup*) override;

  // tickets_service_create.cc
  grpc::Status CreateTicket(grpc::ServerContext*,
                            const pb::CreateTicketRequest*,
                            pb::Ticket*) override;
  // tickets_service_read.cc
  grpc::Status GetTicket(grpc::ServerContext*, const pb::GetTicketRequest*,
                         pb::Ticket*) override;
  grpc::Status ListTickets(grpc::ServerContext*, const pb::ListTicketsRequest*,
                           pb::ListTicketsResponse*) override;
  // tickets_service_fields.cc: custom field values only.
  grpc::Status UpdateTicket(grpc::ServerContext*,
                            const pb::UpdateTicketRequest*,
                            pb::Ticket*) override;
  grpc::Status ListComments(grpc::ServerContext*,
                            const pb::ListCommentsRequest*,
                            pb::ListCommentsResponse*) override;
  grpc::Status ListTicketHistory(grpc::ServerContext*,
                                 const pb::ListTicketHistoryRequest*,
                                 pb::ListTicketHistoryResponse*) override;
  // tickets_service_assign.cc
  grpc::Status GrabTicket(grpc::ServerContext*, const pb::GrabTicketRequest*,
                          pb::Ticket*) override;
  grpc::Status AssignTicket(grpc::ServerContext*,
                            const pb::AssignTicketRequest*,
                            pb::Ticket*) override;
  grpc::Status AutoAssign(grpc::ServerContext*, const pb::AutoAssignRequest*,
                          pb::Ticket*) override;
  // tickets_service_status.cc
  grpc::Status ChangeStatus(grpc::ServerContext*,
                            const pb::ChangeStatusRequest*,
                            pb::Ticket*) override;
  grpc::Status AddComment(grpc::ServerContext*, const pb::AddCommentRequest*,
                          pb::Comment*) override;
  grpc::Status RateTicket(grpc::ServerContext*, const pb::RateTicketRequest*,
                          pb::Ticket*) override;
  // tickets_service_sla.cc
  grpc::Status RunSlaCheck(grpc::ServerContext*, const pb::RunSlaCheckRequest*,
                           pb::RunSlaCheckResponse*) override;
  // tickets_service_stats.cc
  grpc::Status GetTicketStats(grpc::ServerContext*,
                              const pb::GetTicketStatsRequest*,
                              pb::TicketStats*) override;

 private:
  // The caller's list scope (agents: their groups' pools).
  absl::StatusOr<ticket_store::Scope> ScopeOf(db::Connection& c,
                                              const auth::Principal& p);
  // The ticket if the caller may see it, else NOT_FOUND.
  absl::StatusOr<TicketRecord> VisibleTicket(db::Connection& c,
                                             const auth::Principal& p,
                                             int64_t id,
                                             bool for_update = false);
  // The ticket as a message, with SLA due times computed from its type.
  // Custom fields filled in and field permissions applied for `p`.
  absl::Status Render(db::Connection& c, const auth::Principal& p,
                      const TicketRecord& r, pb::Ticket* out);
  // Prepares a call to another service: the caller's token, or the service
  // token for support staff and admins.
  void PrepareCall(grpc::ClientContext* call, grpc::ServerContext* ctx,
                   const auth::Principal& p);
  // A call with the tickets service's own token (ADR 0007): for lookups
  // that are not the caller's business (catalogue, a contract's quote).
  void PrepareServiceCall(grpc::ClientContext* call, grpc::ServerContext* ctx);
  // The product the ticket names, resolved in orders' catalogue (nullopt
  // when it names none); INVALID_ARGUMENT for an unknown id or SKU or a
  // mismatching pair (tickets_service_create.cc).
  absl::StatusOr<std::optional<ProductRef>> ResolveProduct(
      grpc::ServerContext* ctx, const pb::Ticket& t);
  // The contract's eligibility facts (nullopt when not found or not
  // visible to the caller); with_products: also what it covers.
  absl::StatusOr<std::optional<ContractFacts>> LookupContract(
      grpc::ServerContext* ctx, const auth::Principal& p, int64_t contract_id,
      bool with_products);
  // Whether support_manager / boss scope covers `org_path` (or admin).
  static bool ManagesPath(const auth::Principal& p,
                          const std::string& org_path);

  friend class TicketsServiceTestPeer;
  std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* redis_;
  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts_;
  std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders_;
  std::shared_ptr<auth::ServiceCredentials> credentials_;
  std::shared_ptr<const Clock> clock_;
  TicketsConfig config_;
};

}  // namespace crm::tickets
