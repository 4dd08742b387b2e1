#include "tools/demo_seed.h"

#include <cstdio>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "common/validate/credit_code.h"

namespace crm::tools {
namespace {

namespace pb = crm::identity::v1;

struct UnitSpec {
  std::string key, parent_key, name, region;
  pb::OrgUnitKind kind;
};

struct UserSpec {
  std::string username, display_name, unit_key, role;
};

const std::vector<UnitSpec>& Units() {
  static const std::vector<UnitSpec> units = {
      {"east", "root", "华东大区", "east", pb::ORG_UNIT_KIND_REGION},
      {"north", "root", "华北大区", "north", pb::ORG_UNIT_KIND_REGION},
      {"sh", "east", "上海分公司", "", pb::ORG_UNIT_KIND_BRANCH},
      {"bj", "north", "北京分公司", "", pb::ORG_UNIT_KIND_BRANCH},
      {"sh1", "sh", "上海销售一组", "", pb::ORG_UNIT_KIND_TEAM},
      {"sh2", "sh", "上海销售二组", "", pb::ORG_UNIT_KIND_TEAM},
      {"bj1", "bj", "北京销售一组", "", pb::ORG_UNIT_KIND_TEAM},
      {"bj2", "bj", "北京销售二组", "", pb::ORG_UNIT_KIND_TEAM},
      {"shsvc", "sh", "上海售后组", "", pb::ORG_UNIT_KIND_TEAM},
  };
  return units;
}

std::vector<UserSpec> Users() {
  std::vector<UserSpec> users = {
      {"boss", "王总", "root", "boss"},
      {"finance", "财务李", "root", "finance"},
      {"mgr.east", "华东经理", "east", "sales_manager"},
      {"mgr.north", "华北经理", "north", "sales_manager"},
      {"support.mgr", "售后主管", "shsvc", "support_manager"},
      {"agent.1", "售后一号", "shsvc", "support_agent"},
      {"agent.2", "售后二号", "shsvc", "support_agent"},
  };
  for (const std::string team : {"sh1", "sh2", "bj1", "bj2"}) {
    users.push_back({absl::StrCat("lead.", team), absl::StrCat(team, " 组长"),
                     team, "sales_manager"});
    for (int i = 1; i <= 3; ++i) {
      users.push_back({absl::StrCat("rep.", team, ".", i),
                       absl::StrCat(team, " 销售", i), team, "sales_rep"});
    }
  }
  return users;
}

}  // namespace

absl::Status SeedDemo(pb::IdentityService::StubInterface& identity,
                      const std::string& admin_username,
                      const std::string& admin_password) {
  pb::LoginResponse login;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::LoginRequest req;
    req.set_username(admin_username);
    req.set_password(admin_password);
    RETURN_IF_ERROR(FromGrpcStatus(identity.Login(&ctx, req, &login)));
  }
  const std::string token = login.access_token();
  std::map<std::string, int64_t> unit_ids = {
      {"root", login.user().org_unit_id()}};
  for (const UnitSpec& u : Units()) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateOrgUnitRequest req;
    req.set_parent_id(unit_ids.at(u.parent_key));
    req.set_name(u.name);
    req.set_kind(u.kind);
    req.set_region_code(u.region);
    req.set_request_id(absl::StrCat("demo-seed-unit-", u.key));
    pb::OrgUnit unit;
    absl::Status s = FromGrpcStatus(identity.CreateOrgUnit(&ctx, req, &unit));
    if (!s.ok())
      return absl::Status(s.code(),
                          absl::StrCat("org unit ", u.key, ": ", s.message()));
    unit_ids[u.key] = unit.id();
  }
  for (const UserSpec& u : Users()) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateUserRequest req;
    req.set_username(u.username);
    req.set_display_name(u.display_name);
    req.set_password(kDemoPassword);
    req.set_org_unit_id(unit_ids.at(u.unit_key));
    req.add_roles(u.role);
    req.set_request_id(absl::StrCat("demo-seed-user-", u.username));
    pb::User user;
    absl::Status s = FromGrpcStatus(identity.CreateUser(&ctx, req, &user));
    if (!s.ok())
      return absl::Status(s.code(),
                          absl::StrCat("user ", u.username, ": ", s.message()));
    std::printf("  %-14s %-16s %s\n", user.username().c_str(), u.role.c_str(),
                user.org_path().c_str());
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<std::string> LoginToken(
    pb::IdentityService::StubInterface& identity, const std::string& username,
    const std::string& password) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  pb::LoginRequest req;
  req.set_username(username);
  req.set_password(password);
  pb::LoginResponse resp;
  RETURN_IF_ERROR(FromGrpcStatus(identity.Login(&ctx, req, &resp)));
  return resp.access_token();
}

// Demo credit codes: a fixed prefix, a running number, the real check digit.
std::string DemoCreditCode(int n) {
  const std::string first17 =
      absl::StrCat("91310000MA1D", absl::StrFormat("%05d", n));
  return first17 + *validate::CreditCodeCheckChar(first17);
}

}  // namespace

absl::Status SeedDemoAccounts(
    pb::IdentityService::StubInterface& identity,
    crm::accounts::v1::AccountsService::StubInterface& accounts,
    const std::string& admin_username, const std::string& admin_password) {
  namespace apb = crm::accounts::v1;
  ASSIGN_OR_RETURN(std::string admin,
                   LoginToken(identity, admin_username, admin_password));
  struct Region {
    const char* code;
    const char* pool;
    const char* city;
    const char* rep;
    double lat, lng;
  };
  const Region regions[] = {
      {"east", "华东公海", "上海", "rep.sh1.1", 31.23, 121.47},
      {"north", "华北公海", "北京", "rep.bj1.1", 39.90, 116.40}};
  const char* kTrades[] = {"贸易", "科技", "机械", "食品", "物流", "医疗器械",
                           "建材", "软件", "服装", "化工", "教育", "咨询"};
  int code = 0;
  for (const Region& r : regions) {
    apb::Pool pool;
    {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, admin);
      apb::CreatePoolRequest req;
      req.mutable_pool()->set_name(r.pool);
      req.mutable_pool()->set_region_code(r.code);
      req.set_request_id(absl::StrCat("demo-seed-pool-", r.code));
      absl::Status s = FromGrpcStatus(accounts.CreatePool(&ctx, req, &pool));
      if (!s.ok()) {
        return absl::Status(s.code(),
                            absl::StrCat("pool ", r.pool, ": ", s.message()));
      }
    }
    std::vector<int64_t> ids;
    for (int i = 0; i < 12; ++i) {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, admin);
      apb::CreateAccountRequest req;
      apb::Account* a = req.mutable_account();
      a->set_kind(apb::ACCOUNT_KIND_COMPANY);
      a->set_name(
          absl::StrCat(r.city, kTrades[i], "示范", i + 1, "号有限公司"));
      a->set_credit_code(DemoCreditCode(++code));
      a->set_industry(kTrades[i]);
      a->set_address(absl::StrCat(r.city, "市示范路", i + 1, "号"));
      a->mutable_location()->set_lat(r.lat + 0.01 * i);
      a->mutable_location()->set_lng(r.lng + 0.01 * i);
      a->set_region_code(r.code);
      a->set_type(i % 4 == 0 ? apb::CUSTOMER_TYPE_KA : apb::CUSTOMER_TYPE_SMB);
      req.set_pool_id(pool.id());
      req.set_ignore_similar(true);
      req.set_request_id(absl::StrCat("demo-seed-account-", r.code, "-", i));
      apb::CreateAccountResponse resp;
      absl::Status s = FromGrpcStatus(accounts.CreateAccount(&ctx, req, &resp));
      if (!s.ok())
        return absl::Status(s.code(), absl::StrCat("account: ", s.message()));
      ids.push_back(resp.account().id());
    }
    ASSIGN_OR_RETURN(std::string rep,
                     LoginToken(identity, r.rep, kDemoPassword));
    for (int i = 0; i < 3; ++i) {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, rep);
      apb::ClaimAccountRequest req;
      req.set_account_id(ids[i]);
      req.set_request_id(absl::StrCat("demo-seed-claim-", r.code, "-", i));
      apb::Account claimed;
      absl::Status s =
          FromGrpcStatus(accounts.ClaimAccount(&ctx, req, &claimed));
      if (!s.ok())
        return absl::Status(s.code(), absl::StrCat("claim: ", s.message()));
    }
    std::printf("  %s: 12 customers, 3 claimed by %s\n", r.pool, r.rep);
  }
  return absl::OkStatus();
}

}  // namespace crm::tools
