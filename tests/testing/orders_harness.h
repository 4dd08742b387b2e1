// The orders service in-process on a fresh schema, beside an in-process
// accounts (and identity) from AccountsHarness, sharing its manual clock.
// Orders calls accounts' GetAccount and identity's GetUser / GetOrgUnit
// with the caller's token, as in production. Org (from AccountsHarness):
// company "root" > region "east" > teams "e1", "e2"; region "north" > team
// "n1".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/server/server.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "services/orders/orders_service.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/test_db.h"
#include "tests/testing/test_redis.h"

namespace crm::testing {

class OrdersHarness {
 public:
  // `with_redis` false: the service runs without Redis (no leaderboards).
  explicit OrdersHarness(bool with_redis = true);
  // Orders beside an existing accounts (and identity) that the caller owns
  // and keeps alive longer, e.g. next to opportunities on the same
  // accounts (OpportunitiesHarness).
  OrdersHarness(AccountsHarness& accounts, bool with_redis);
  ~OrdersHarness();

  crm::orders::v1::OrdersService::Stub& stub() { return *stub_; }
  AccountsHarness& accounts() { return accounts_; }
  ManualClock& clock() { return accounts_.clock(); }
  TestSchema& schema() { return schema_; }
  redis::RedisPool* redis() { return redis_ ? redis_->get() : nullptr; }
  orders::OrdersServiceImpl& service() { return *service_; }
  // The service's business calendar (Asia/Shanghai): tests place instants
  // on business days with it.
  const orders::BusinessCalendar& calendar() const {
    return service_->calendar();
  }

  using Login = AccountsHarness::Login;
  Login User(const std::string& username, const std::string& unit_key,
             const std::string& role) {
    return accounts_.User(username, unit_key, role);
  }
  std::string Admin() { return accounts_.Admin(); }
  // The materialized org path of a unit ("/1/2/5/").
  std::string Path(const std::string& unit_key);

  // An account owned by `token`'s user (KA when `key_account`).
  int64_t Account(const std::string& token, const std::string& name,
                  bool key_account = false);

  // A contract draft: amount split into `parts` equal monthly installments
  // (the last takes the remainder) from `start`.
  static crm::orders::v1::Contract Draft(
      int64_t account_id, int64_t amount, int parts = 1,
      const std::string& start = "2026-01-01",
      const std::string& end = "2026-12-31");

  grpc::Status Create(const std::string& token,
                      const crm::orders::v1::Contract& draft,
                      crm::orders::v1::Contract* out,
                      const std::string& request_id = "");
  grpc::Status Submit(const std::string& token, int64_t id,
                      crm::orders::v1::Contract* out = nullptr);
  grpc::Status Approve(const std::string& token, int64_t id, int step,
                       crm::orders::v1::Contract* out = nullptr,
                       const std::string& comment = "ok");
  grpc::Status Reject(const std::string& token, int64_t id, int step,
                      const std::string& comment,
                      crm::orders::v1::Contract* out = nullptr);
  grpc::Status Sign(const std::string& token, int64_t id,
                    crm::orders::v1::Contract* out = nullptr);
  grpc::Status Get(const std::string& token, int64_t id,
                   crm::orders::v1::Contract* out);
  grpc::Status Pay(const std::string& token, int64_t contract_id,
                   int64_t amount, const std::string& date,
                   const std::string& reference,
                   crm::orders::v1::Payment* out = nullptr,
                   const std::string& reason = "", int installment_number = 0);

  // Creates, submits, approves every step (as users it creates: a
  // manager, a boss and a finance user at the company root) and signs a
  // contract for `owner`; returns it.
  crm::orders::v1::Contract SignedContract(
      const std::string& owner_token, const crm::orders::v1::Contract& draft);
  // Finance at the company root (sees everything).
  std::string Finance() { return User("fin.root", "root", "finance").token; }

  // Integer column `column` of the one row `sql` returns on the orders
  // schema, or -1 with a failure.
  int64_t QueryInt(const std::string& sql, const std::string& column = "c");

 private:
  OrdersHarness(std::unique_ptr<AccountsHarness> owned, AccountsHarness* shared,
                bool with_redis);

  std::unique_ptr<AccountsHarness> owned_accounts_;  // null when shared
  AccountsHarness& accounts_;
  TestSchema schema_;
  std::unique_ptr<TestRedisPool> redis_;
  std::unique_ptr<orders::OrdersServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::orders::v1::OrdersService::Stub> stub_;
  int accounts_made_ = 0;
};

}  // namespace crm::testing
