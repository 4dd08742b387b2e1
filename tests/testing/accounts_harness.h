// The accounts service in-process on a fresh schema, next to an in-process
// identity (for users, tokens and org units), sharing one manual clock.
// Builds a small org: company > region east > teams e1, e2; region north >
// team n1; users are created on demand and logged in.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "services/accounts/accounts_service.h"
#include "tests/testing/identity_harness.h"
#include "tests/testing/test_redis.h"

namespace crm::testing {

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
