#include "tests/testing/accounts_harness.h"

#include <gtest/gtest.h>

#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"

namespace crm {
const std::vector<db::Migration>& AccountsMigrations();
}

namespace crm::testing {

namespace idpb = crm::identity::v1;

AccountsHarness::AccountsHarness(bool redis_down) : schema_("accounts") {
  auto pool = schema_.Pool();
  auto applied = db::RunMigrations(*pool, AccountsMigrations());
  EXPECT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*pool).ok());
  redis::RedisPool* redis = nullptr;
  if (redis_down) {
    redis::RedisOptions o = TestRedisOptions("accounts_down");
    o.port = 1;  // nothing listens there
    down_redis_ = std::move(*redis::RedisPool::Create(o));
    redis = down_redis_.get();
  } else {
    redis_ = std::make_unique<TestRedisPool>("accounts");
    redis = redis_->get();
  }
  std::shared_ptr<idpb::IdentityService::StubInterface> identity_stub =
      idpb::IdentityService::NewStub(client::MakeChannel(identity_.address()));
  accounts::AccountsConfig config;
  config.default_claim_rules.daily_claim_limit = 0;
  config.default_claim_rules.private_capacity = 0;
  service_ = std::make_unique<accounts::AccountsServiceImpl>(
      pool, redis, identity_stub, identity_.shared_clock(), config);
  auto codec =
      auth::TokenCodec::Create(kTestTokenKey, identity_.shared_clock());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  host_->AddService(service_.get());
  EXPECT_TRUE(host_->Start().ok());
  stub_ = crm::accounts::v1::AccountsService::NewStub(
      client::MakeChannel(host_->address()));

  // The org tree the tests sell in.
  const std::string admin = identity_.AdminToken();
  units_["root"] = identity_.RootId();
  struct Spec {
    const char* key;
    const char* parent;
    const char* name;
    const char* region;
    idpb::OrgUnitKind kind;
  };
  for (const Spec& s :
       {Spec{"east", "root", "华东", "east", idpb::ORG_UNIT_KIND_REGION},
        Spec{"north", "root", "华北", "north", idpb::ORG_UNIT_KIND_REGION},
        Spec{"e1", "east", "华东一组", "", idpb::ORG_UNIT_KIND_TEAM},
        Spec{"e2", "east", "华东二组", "", idpb::ORG_UNIT_KIND_TEAM},
        Spec{"n1", "north", "华北一组", "", idpb::ORG_UNIT_KIND_TEAM}}) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin);
    idpb::CreateOrgUnitRequest req;
    req.set_parent_id(units_.at(s.parent));
    req.set_name(s.name);
    req.set_kind(s.kind);
    req.set_region_code(s.region);
    idpb::OrgUnit unit;
    grpc::Status st = identity_.stub().CreateOrgUnit(&ctx, req, &unit);
    EXPECT_TRUE(st.ok()) << st.error_message();
    units_[s.key] = unit.id();
  }
}

AccountsHarness::~AccountsHarness() {
  stub_.reset();
  host_.reset();
  service_.reset();
}

AccountsHarness::Login AccountsHarness::User(const std::string& username,
                                             const std::string& unit_key,
                                             const std::string& role) {
  auto it = users_.find(username);
  if (it != users_.end()) {
    // Log in again: tests move the clock, and tokens expire with it.
    return Login{it->second.user_id,
                 identity_.Login(username, "Passw0rd-test")};
  }
  grpc::ClientContext ctx;
  client::Prepare(&ctx, identity_.AdminToken());
  idpb::CreateUserRequest req;
  req.set_username(username);
  req.set_display_name(username);
  req.set_password("Passw0rd-test");
  req.set_org_unit_id(units_.at(unit_key));
  req.add_roles(role);
  idpb::User user;
  grpc::Status s = identity_.stub().CreateUser(&ctx, req, &user);
  EXPECT_TRUE(s.ok()) << s.error_message();
  Login login{user.id(), identity_.Login(username, "Passw0rd-test")};
  users_[username] = login;
  return login;
}

}  // namespace crm::testing
