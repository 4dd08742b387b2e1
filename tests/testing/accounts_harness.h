// The accounts service in-process on a fresh schema, next to an in-process
// identity (for users, tokens and org units), sharing one manual clock.
// Builds a small org: company > region east > teams e1, e2; region north >
// team n1; users are created on demand and logged in.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/db/connection.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "services/accounts/accounts_service.h"
#include "tests/testing/identity_harness.h"
#include "tests/testing/test_redis.h"

namespace crm::testing {

// A valid unified social credit code: `prefix` (11 characters), `n` in six
// digits and the check character.
std::string CreditCode(int n, const std::string& prefix = "91310000MA1");

// A company (SMB) account draft; an empty region leaves region_code unset.
crm::accounts::v1::Account CompanyDraft(const std::string& name,
                                        const std::string& credit_code,
                                        const std::string& region = "east");

class AccountsHarness {
 public:
  // `redis_down`: give the service a Redis that refuses connections, to
  // show that claims stay correct on the database alone.
  explicit AccountsHarness(bool redis_down = false);
  ~AccountsHarness();

  crm::accounts::v1::AccountsService::Stub& stub() { return *stub_; }
  IdentityHarness& identity() { return identity_; }
  ManualClock& clock() { return identity_.clock(); }
  TestSchema& schema() { return schema_; }

  // Org units by key: "root", "east", "e1", "e2", "north", "n1".
  int64_t Unit(const std::string& key) const { return units_.at(key); }
  // Creates (once) a user in the unit with the role and returns its token.
  struct Login {
    int64_t user_id = 0;
    std::string token;
  };
  Login User(const std::string& username, const std::string& unit_key,
             const std::string& role);
  std::string Admin() { return identity_.AdminToken(); }

  // The RPCs most tests call, on behalf of `token`.
  // CreateAccount with ignore_similar (in `pool_id` if not 0), expecting
  // success; returns the new account's id.
  int64_t CreateAccountOk(const std::string& token,
                          const crm::accounts::v1::Account& account,
                          int64_t pool_id = 0);
  grpc::Status GetAccount(const std::string& token, int64_t id,
                          crm::accounts::v1::Account* out);
  // GetAccount as the admin, expecting success.
  crm::accounts::v1::Account GetAccountOk(int64_t id);
  grpc::Status Claim(const std::string& token, int64_t account_id,
                     crm::accounts::v1::Account* out = nullptr);
  grpc::Status Release(const std::string& token, int64_t account_id,
                       const std::string& reason, int64_t pool_id = 0);

  // The integer column `column` of the one row `sql` returns on the
  // accounts schema, or -1 (with a test failure) if the query fails.
  int64_t QueryInt(const std::string& sql, const std::string& column,
                   const std::vector<db::Param>& params = {});

 private:
  IdentityHarness identity_;
  TestSchema schema_;
  std::unique_ptr<TestRedisPool> redis_;
  std::unique_ptr<redis::RedisPool> down_redis_;
  std::unique_ptr<accounts::AccountsServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::accounts::v1::AccountsService::Stub> stub_;
  std::map<std::string, int64_t> units_;
  std::map<std::string, Login> users_;
};

}  // namespace crm::testing
