// The opportunities service in-process on a fresh schema, next to an
// in-process accounts service and identity (AccountsHarness), sharing one
// manual clock. Opportunities verifies accounts through the accounts
// stub with the caller's token, as in production.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "services/opportunities/opportunities_service.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/orders_harness.h"

namespace crm::testing {

class OpportunitiesHarness {
 public:
  // Orders for MarkWon's create_contract: none (stub null), an in-process
  // orders service on the same accounts (OrdersHarness), or a stub to an
  // address nothing listens on (orders down).
  enum class Orders { kNone, kInProcess, kUnreachable };

  explicit OpportunitiesHarness(opportunities::OpportunitiesConfig config = {},
                                Orders orders = Orders::kNone);
  ~OpportunitiesHarness();

  crm::opportunities::v1::OpportunitiesService::Stub& stub() { return *stub_; }
  AccountsHarness& accounts() { return accounts_; }
  // Only with Orders::kInProcess.
  OrdersHarness& orders() { return *orders_; }
  ManualClock& clock() { return accounts_.clock(); }
  TestSchema& schema() { return schema_; }
  redis::RedisPool* redis() { return redis_->get(); }
  std::shared_ptr<const Clock> shared_clock() {
    return accounts_.identity().shared_clock();
  }

  AccountsHarness::Login User(const std::string& username,
                              const std::string& unit_key,
                              const std::string& role) {
    return accounts_.User(username, unit_key, role);
  }
  std::string Admin() { return accounts_.Admin(); }
  int64_t Unit(const std::string& key) const { return accounts_.Unit(key); }

  // A company account owned by `token`'s user (KA when `ka`).
  int64_t Account(const std::string& token, const std::string& name,
                  bool ka = false);

  // CreateOpportunity for `account_id` named `name` (in `pipeline_id` when
  // not 0), with `amount_minor` CNY when positive.
  grpc::Status Create(const std::string& token, int64_t account_id,
                      const std::string& name,
                      crm::opportunities::v1::Opportunity* out,
                      int64_t amount_minor = 0, int64_t pipeline_id = 0);
  // The same, expecting success; returns the id.
  int64_t CreateOk(const std::string& token, int64_t account_id,
                   const std::string& name, int64_t amount_minor = 0,
                   int64_t pipeline_id = 0);
  grpc::Status Get(const std::string& token, int64_t id,
                   crm::opportunities::v1::Opportunity* out = nullptr);
  grpc::Status Move(const std::string& token, int64_t id,
                    const std::string& stage, const std::string& sub = "",
                    crm::opportunities::v1::Opportunity* out = nullptr);
  grpc::Status Won(const std::string& token, int64_t id,
                   const std::string& contract_ref,
                   crm::opportunities::v1::Opportunity* out = nullptr);
  // MarkWon with create_contract (dates "" for the defaults).
  grpc::Status WonWithContract(
      const std::string& token, int64_t id,
      crm::opportunities::v1::Opportunity* out = nullptr,
      const std::string& start_date = "", const std::string& end_date = "");
  grpc::Status Lost(const std::string& token, int64_t id,
                    const std::string& reason, const std::string& note = "",
                    crm::opportunities::v1::Opportunity* out = nullptr);
  grpc::Status Reopen(const std::string& token, int64_t id,
                      const std::string& reason, const std::string& stage = "",
                      crm::opportunities::v1::Opportunity* out = nullptr);
  // UpdateOpportunity of the masked fields of `o` (o.id() names it).
  grpc::Status Update(const std::string& token,
                      const crm::opportunities::v1::Opportunity& o,
                      const std::vector<std::string>& paths,
                      crm::opportunities::v1::Opportunity* out = nullptr);

  // Column `column` of the one row `sql` returns on the opportunities
  // schema, or -1 (with a test failure).
  int64_t QueryInt(const std::string& sql, const std::string& column = "c");
  // Payloads of the outbox rows of `type` (stream events:opportunities),
  // oldest first.
  std::vector<nlohmann::json> Events(const std::string& type);

 private:
  AccountsHarness accounts_;
  std::unique_ptr<OrdersHarness> orders_;  // Orders::kInProcess
  TestSchema schema_;
  std::unique_ptr<TestRedisPool> redis_;
  std::unique_ptr<opportunities::OpportunitiesServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::opportunities::v1::OpportunitiesService::Stub> stub_;
  int next_code_ = 1;
};

}  // namespace crm::testing
