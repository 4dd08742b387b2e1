#include "tests/testing/accounts_harness.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"
#include "common/validate/credit_code.h"

namespace crm {
const std::vector<db::Migration>& AccountsMigrations();
}

namespace crm::testing {

namespace idpb = crm::identity::v1;
namespace pb = crm::accounts::v1;

std::string CreditCode(int n, const std::string& prefix) {
  std::string first17 = absl::StrCat(prefix, absl::StrFormat("%06d", n));
  return first17 + *validate::CreditCodeCheckChar(first17);
}

pb::Account CompanyDraft(const std::string& name,
                         const std::string& credit_code,
                         const std::string& region) {
  pb::Account a;
  a.set_kind(pb::ACCOUNT_KIND_COMPANY);
  a.set_name(name);
  a.set_credit_code(credit_code);
  a.set_region_code(region);
  a.set_type(pb::CUSTOMER_TYPE_SMB);
  return a;
}

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

int64_t AccountsHarness::CreateAccountOk(const std::string& token,
                                         const pb::Account& account,
                                         int64_t pool_id) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::CreateAccountRequest req;
  *req.mutable_account() = account;
  req.set_pool_id(pool_id);
  req.set_ignore_similar(true);
  pb::CreateAccountResponse out;
  grpc::Status s = stub_->CreateAccount(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out.account().id();
}

grpc::Status AccountsHarness::GetAccount(const std::string& token, int64_t id,
                                         pb::Account* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::GetAccountRequest req;
  req.set_id(id);
  return stub_->GetAccount(&ctx, req, out);
}

pb::Account AccountsHarness::GetAccountOk(int64_t id) {
  pb::Account a;
  grpc::Status s = GetAccount(Admin(), id, &a);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return a;
}

grpc::Status AccountsHarness::Claim(const std::string& token,
                                    int64_t account_id, pb::Account* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::ClaimAccountRequest req;
  req.set_account_id(account_id);
  pb::Account ignored;
  return stub_->ClaimAccount(&ctx, req, out ? out : &ignored);
}

grpc::Status AccountsHarness::Release(const std::string& token,
                                      int64_t account_id,
                                      const std::string& reason,
                                      int64_t pool_id) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::ReleaseAccountRequest req;
  req.set_account_id(account_id);
  req.set_reason(reason);
  req.set_pool_id(pool_id);
  pb::Account out;
  return stub_->ReleaseAccount(&ctx, req, &out);
}

int64_t AccountsHarness::QueryInt(const std::string& sql,
                                  const std::string& column,
                                  const std::vector<db::Param>& params) {
  auto conn = schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, params, "count");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int(column) : -1;
}

}  // namespace crm::testing
