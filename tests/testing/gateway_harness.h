// The gateway in-process over an AccountsHarness (identity + accounts, real
// MariaDB and Redis): a second accounts server on the same schema (the
// harness does not expose its own address; a replica behaves the same) and
// GatewayServer instances on free loopback ports.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "services/accounts/accounts_service.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/http_server.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/test_redis.h"

namespace crm::testing {

class GatewayHarness {
 public:
  GatewayHarness();
  ~GatewayHarness();

  AccountsHarness& accounts() { return accounts_; }
  IdentityHarness& identity() { return accounts_.identity(); }
  const std::string& accounts_address() const { return accounts_address_; }

  // Settings for a gateway in front of this harness: listen 127.0.0.1:0,
  // identity and accounts backends, generous limits, CORS for
  // https://crm.example.com, the source tree's web dir.
  gateway::GatewaySettings Settings();
  // Starts a gateway (its own Redis key prefix, so limits start at zero).
  std::unique_ptr<gateway::GatewayServer> Start(
      const gateway::GatewaySettings& settings);

  // The default gateway (Settings()).
  gateway::GatewayServer& gateway() { return *gateway_; }
  int port() const { return gateway_->port(); }
  httplib::Client Client(int port = 0) const;

 private:
  AccountsHarness accounts_;
  std::unique_ptr<TestRedisPool> accounts_redis_;
  std::unique_ptr<accounts::AccountsServiceImpl> accounts_service_;
  std::unique_ptr<server::ServiceHost> accounts_host_;
  std::string accounts_address_;
  std::vector<std::unique_ptr<TestRedisPool>> gateway_redis_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
};

}  // namespace crm::testing
