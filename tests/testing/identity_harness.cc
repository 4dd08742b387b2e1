#include "tests/testing/identity_harness.h"

#include <gtest/gtest.h>

#include "common/auth/service_credentials.h"
#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"

namespace crm {
const std::vector<db::Migration>& IdentityMigrations();
}

namespace crm::testing {

IdentityHarness::IdentityHarness(identity::PasswordCost cost)
    : schema_("identity"), clock_(std::make_shared<ManualClock>(absl::Now())) {
  auto pool = schema_.Pool();
  auto applied = db::RunMigrations(*pool, IdentityMigrations());
  EXPECT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*pool).ok());
  auto codec = auth::TokenCodec::Create(kTestTokenKey, clock_);
  auto tokens = std::make_shared<const auth::TokenCodec>(*codec);
  identity::SessionConfig config;
  config.password_cost = cost;
  service_ = std::make_unique<identity::IdentityServiceImpl>(pool, tokens,
                                                             clock_, config);
  absl::Status boot =
      service_->BootstrapAdmin("Test Company", "admin", kAdminPassword);
  EXPECT_TRUE(boot.ok()) << boot;
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  options.public_methods = identity::IdentityServiceImpl::PublicMethods();
  host_ = std::make_unique<server::ServiceHost>(options, tokens);
  host_->AddService(service_.get());
  absl::Status started = host_->Start();
  EXPECT_TRUE(started.ok()) << started;
  stub_ = crm::identity::v1::IdentityService::NewStub(
      client::MakeChannel(host_->address()));

  grpc::ClientContext ctx;
  client::Prepare(&ctx, AdminToken());
  crm::common::v1::Principal me;
  EXPECT_TRUE(stub_->WhoAmI(&ctx, {}, &me).ok());
  root_id_ = me.org_unit_id();
}

std::unique_ptr<client::ManagerLookup> IdentityHarness::ManagerLookupFor(
    const std::string& service, const std::string& role,
    const std::string& address) {
  auto codec = auth::TokenCodec::Create(kTestTokenKey, clock_);
  EXPECT_TRUE(codec.ok()) << codec.status();
  return std::make_unique<client::ManagerLookup>(
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(address.empty() ? this->address() : address)),
      std::make_shared<auth::ServiceCredentials>(*codec, service,
                                                 absl::Minutes(10), clock_),
      role);
}

IdentityHarness::~IdentityHarness() {
  stub_.reset();
  host_.reset();
  service_.reset();
}

std::string IdentityHarness::Login(const std::string& username,
                                   const std::string& password) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  crm::identity::v1::LoginRequest req;
  req.set_username(username);
  req.set_password(password);
  crm::identity::v1::LoginResponse resp;
  grpc::Status s = stub_->Login(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << username << ": " << s.error_message();
  return resp.access_token();
}

}  // namespace crm::testing
