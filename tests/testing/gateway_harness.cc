#include "tests/testing/gateway_harness.h"

#include <gtest/gtest.h>

#include "common/auth/service_credentials.h"
#include "common/client/client.h"

namespace crm::testing {

GatewayHarness::GatewayHarness() {
  accounts_redis_ = std::make_unique<TestRedisPool>("gw_accounts");
  auto identity_stub = crm::identity::v1::IdentityService::NewStub(
      client::MakeChannel(identity().address()));
  accounts::AccountsConfig config;
  config.default_claim_rules.daily_claim_limit = 0;
  config.default_claim_rules.private_capacity = 0;
  accounts_service_ = std::make_unique<accounts::AccountsServiceImpl>(
      accounts_.schema().Pool(), accounts_redis_->get(),
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>(
          std::move(identity_stub)),
      identity().shared_clock(), config);
  auto codec =
      auth::TokenCodec::Create(kTestTokenKey, identity().shared_clock());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  accounts_host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  accounts_host_->AddService(accounts_service_.get());
  EXPECT_TRUE(accounts_host_->Start().ok());
  accounts_address_ = accounts_host_->address();
  gateway_ = Start(Settings());
}

GatewayHarness::~GatewayHarness() {
  gateway_.reset();
  accounts_host_.reset();
  accounts_service_.reset();
}

gateway::GatewaySettings GatewayHarness::Settings() {
  gateway::GatewaySettings s;
  s.listen = "127.0.0.1:0";
  s.backends = {{"crm.identity.v1", accounts_.identity().address()},
                {"crm.accounts.v1", accounts_address_}};
  s.cors_origins = "https://crm.example.com";
  s.limits.per_ip = 100000;
  s.limits.per_user = 100000;
  s.limits.login_per_ip = 100000;
  s.limits.public_leads_per_ip = 100000;
  s.http_threads = 8;
  return s;
}

std::unique_ptr<gateway::GatewayServer> GatewayHarness::Start(
    const gateway::GatewaySettings& settings) {
  gateway_redis_.push_back(std::make_unique<TestRedisPool>("gateway"));
  auto codec =
      auth::TokenCodec::Create(kTestTokenKey, identity().shared_clock());
  auto tokens = std::make_shared<const auth::TokenCodec>(*codec);
  auto credentials =
      std::make_shared<auth::ServiceCredentials>(*codec, "gateway");
  auto g = std::make_unique<gateway::GatewayServer>(
      settings, tokens, gateway_redis_.back()->get(), credentials);
  absl::Status s = g->Start();
  EXPECT_TRUE(s.ok()) << s;
  return g;
}

httplib::Client GatewayHarness::Client(int port) const {
  httplib::Client c("127.0.0.1", port == 0 ? gateway_->port() : port);
  c.set_read_timeout(30, 0);
  c.set_tcp_nodelay(true);
  return c;
}

}  // namespace crm::testing
