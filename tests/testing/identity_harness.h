// An in-process identity server on a fresh schema, for integration tests
// and benchmarks: real MariaDB, real gRPC on a loopback port, a manual
// clock, and the cheapest password hashing cost.
#pragma once

#include <memory>
#include <string>

#include "common/auth/principal.h"
#include "common/auth/token.h"
#include "common/client/manager_lookup.h"
#include "common/clock/clock.h"
#include "common/server/server.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "services/identity/identity_service.h"
#include "tests/testing/test_db.h"

namespace crm::testing {

inline constexpr char kTestTokenKey[] = "integration-test-token-key-0123456789";
inline constexpr char kAdminPassword[] = "Admin-pass-123";

class IdentityHarness {
 public:
  // `cost` defaults to the cheapest argon2id setting so tests stay fast;
  // benchmarks pass the production default.
  explicit IdentityHarness(
      identity::PasswordCost cost = identity::PasswordCost::Minimum());
  ~IdentityHarness();

  crm::identity::v1::IdentityService::Stub& stub() { return *stub_; }
  ManualClock& clock() { return *clock_; }
  std::shared_ptr<ManualClock> shared_clock() { return clock_; }
  TestSchema& schema() { return schema_; }
  std::string address() const { return host_->address(); }

  // Logs in and returns the access token (test fails on error).
  std::string Login(const std::string& username, const std::string& password);
  std::string AdminToken() { return Login("admin", kAdminPassword); }
  int64_t RootId() const { return root_id_; }

  // A manager lookup (sales managers unless `role` says otherwise) asking
  // this identity server (or `address`, e.g. a dead one) with `service`'s
  // own token (ADR 0007), as the services' event consumers do.
  std::unique_ptr<client::ManagerLookup> ManagerLookupFor(
      const std::string& service,
      const std::string& role = std::string(auth::kRoleSalesManager),
      const std::string& address = "");

 private:
  TestSchema schema_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<identity::IdentityServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::identity::v1::IdentityService::Stub> stub_;
  int64_t root_id_ = 0;
};

}  // namespace crm::testing
