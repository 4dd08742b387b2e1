// The tickets service in-process on a fresh schema, beside in-process
// orders, accounts and identity (OrdersHarness), sharing their manual
// clock. Tickets calls accounts' GetAccount and orders' GetContract with
// the caller's token (sales) or a service token (support staff, admins).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/server/server.h"
#include "crm/tickets/v1/tickets.grpc.pb.h"
#include "services/tickets/tickets_service.h"
#include "tests/testing/orders_harness.h"

namespace crm::testing {

class TicketsHarness {
 public:
  explicit TicketsHarness(bool with_redis = true);
  ~TicketsHarness();

  crm::tickets::v1::TicketsService::Stub& stub() { return *stub_; }
  OrdersHarness& orders() { return orders_; }
  ManualClock& clock() { return orders_.clock(); }
  TestSchema& schema() { return schema_; }
  redis::RedisPool* redis() { return redis_ ? redis_->get() : nullptr; }
  std::string address() const { return host_->address(); }

  using Login = AccountsHarness::Login;
  Login User(const std::string& username, const std::string& unit_key,
             const std::string& role) {
    return orders_.User(username, unit_key, role);
  }
  std::string Admin() { return orders_.Admin(); }
  std::string Path(const std::string& unit_key) {
    return orders_.Path(unit_key);
  }

  // A type (admin), a group at `unit_key` (admin) and agents in it.
  grpc::Status UpsertType(const crm::tickets::v1::TicketType& t,
                          crm::tickets::v1::TicketType* out = nullptr);
  int64_t Group(const std::string& name, const std::string& unit_key);
  void AddAgent(int64_t group_id, int64_t user_id,
                const std::vector<std::string>& skills = {},
                bool active = true);

  // Orders' catalogue and quotes, for product coverage: a product (admin;
  // list price 1000.00), an approved quote by `token` for `account` with
  // one line (quantity 1, no discount) per product, and a signed contract
  // from that quote (amount = the quote's total) valid all of `year`.
  int64_t Product(const std::string& sku);
  crm::orders::v1::Quote Quote(const std::string& token, int64_t account,
                               const std::vector<int64_t>& products);
  crm::orders::v1::Contract ContractFromQuote(
      const std::string& token, const crm::orders::v1::Quote& quote,
      const std::string& year);

  // A ticket draft of `type` for `account` in `group` (NORMAL, INTERNAL).
  static crm::tickets::v1::Ticket Draft(const std::string& type,
                                        int64_t account, int64_t group);
  grpc::Status Create(const std::string& token,
                      const crm::tickets::v1::Ticket& draft,
                      crm::tickets::v1::Ticket* out,
                      const std::string& request_id = "");
  int64_t CreateOk(const std::string& token,
                   const crm::tickets::v1::Ticket& draft);
  grpc::Status Get(const std::string& token, int64_t id,
                   crm::tickets::v1::Ticket* out);
  grpc::Status Grab(const std::string& token, int64_t id,
                    crm::tickets::v1::Ticket* out = nullptr);
  grpc::Status Assign(const std::string& token, int64_t id, int64_t assignee,
                      crm::tickets::v1::Ticket* out = nullptr);
  grpc::Status Auto(const std::string& token, int64_t id,
                    crm::tickets::v1::Ticket* out = nullptr);
  grpc::Status Move(const std::string& token, int64_t id,
                    crm::tickets::v1::TicketStatus to,
                    crm::tickets::v1::Ticket* out = nullptr);
  grpc::Status SlaCheck(absl::Time as_of,
                        crm::tickets::v1::RunSlaCheckResponse* out);
  grpc::Status List(const std::string& token,
                    const crm::tickets::v1::ListTicketsRequest& req,
                    crm::tickets::v1::ListTicketsResponse* out);

  int64_t QueryInt(const std::string& sql, const std::string& column = "c");

 private:
  OrdersHarness orders_;
  TestSchema schema_;
  std::unique_ptr<TestRedisPool> redis_;
  std::unique_ptr<tickets::TicketsServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::tickets::v1::TicketsService::Stub> stub_;
};

}  // namespace crm::testing
