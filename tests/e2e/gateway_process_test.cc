// crm-identity, crm-accounts and crm-gateway as processes, wired the way
// `crmctl up` wires them: a user logs in over HTTP, calls accounts through
// the gateway with JSON, and the dashboard page is served.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
constexpr char kAdminPassword[] = "E2e-admin-pass-1";

bool WaitHealthz(int port, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(0, 500000);
    auto res = c.Get("/healthz");
    if (res && res->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(GatewayProcessTest, LoginAndCallThroughTheGateway) {
  testing::ServiceProcess identity(
      "identity", {{"CRM_BOOTSTRAP_ADMIN_USERNAME", "admin"},
                   {"CRM_BOOTSTRAP_ADMIN_PASSWORD", kAdminPassword},
                   {"CRM_PASSWORD_HASH_OPS", "1"},
                   {"CRM_PASSWORD_HASH_MEM_KIB", "8"}});
  ASSERT_TRUE(identity.Start());
  testing::ServiceProcess accounts("accounts",
                                   {{"CRM_IDENTITY_ADDR", identity.address()}});
  ASSERT_TRUE(accounts.Start());
  {
    auto id_stub = crm::identity::v1::IdentityService::NewStub(
        client::MakeChannel(identity.address()));
    ASSERT_TRUE(tools::SeedDemo(*id_stub, "admin", kAdminPassword).ok());
  }

  const int port = testing::FreePort();
  const testing::TestRedis r = testing::RedisFromEnv();
  testing::Subprocess gateway(
      absl::StrCat(testing::BuildDir(), "/services/gateway/crm-gateway"), {},
      {{"CRM_LISTEN", absl::StrCat("127.0.0.1:", port)},
       {"CRM_TOKEN_KEY", testing::kE2eTokenKey},
       {"CRM_REDIS_HOST", r.host},
       {"CRM_REDIS_PORT", absl::StrCat(r.port)},
       {"CRM_REDIS_KEY_PREFIX", testing::UniqueName("e2egw") + ":"},
       {"CRM_IDENTITY_ADDR", identity.address()},
       {"CRM_ACCOUNTS_ADDR", accounts.address()},
       {"CRM_CORS_ORIGINS", "https://crm.example.com"}},
      absl::StrCat("/tmp/", testing::UniqueName("e2e_gateway"), ".log"));
  ASSERT_TRUE(gateway.Start());
  ASSERT_TRUE(WaitHealthz(port, absl::Seconds(30))) << gateway.ReadLog();

  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  auto login =
      c.Post("/v1/login",
             json{{"username", "rep.sh1.1"}, {"password", tools::kDemoPassword}}
                 .dump(),
             "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string token = json::parse(login->body).value("accessToken", "");
  ASSERT_FALSE(token.empty());
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};

  const std::string first17 = "91310000MA1GW0010";
  auto created = c.Post(
      "/v1/crm.accounts.v1.AccountsService/CreateAccount", auth,
      json{
          {"account",
           {{"kind", "ACCOUNT_KIND_COMPANY"},
            {"name", "上海网关进程测试有限公司"},
            {"creditCode", first17 + *validate::CreditCodeCheckChar(first17)}}},
          {"ignoreSimilar", true}}
          .dump(),
      "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  const std::string id = json::parse(created->body)["account"].value("id", "");
  auto got = c.Post("/v1/crm.accounts.v1.AccountsService/GetAccount", auth,
                    json{{"id", id}}.dump(), "application/json");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(json::parse(got->body).value("name", ""),
            "上海网关进程测试有限公司");
  auto list = c.Post("/v1/crm.accounts.v1.AccountsService/ListAccounts", auth,
                     R"({"pageSize": 5})", "application/json");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200) << list->body;
  EXPECT_TRUE(json::parse(list->body).contains("accounts")) << list->body;
  auto recycle = c.Post("/v1/crm.accounts.v1.AccountsService/RunRecycle", auth,
                        "{}", "application/json");
  ASSERT_TRUE(recycle);
  EXPECT_EQ(recycle->status, 404);

  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("id=\"login-form\""));

  EXPECT_EQ(gateway.Stop(SIGTERM, absl::Seconds(15)), 0) << gateway.ReadLog();
  EXPECT_NE(accounts.Stop(), -1);
  EXPECT_NE(identity.Stop(), -1);
}

}  // namespace
}  // namespace crm
