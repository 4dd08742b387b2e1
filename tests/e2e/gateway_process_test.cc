// crm-identity, crm-accounts and crm-gateway as processes
// (testing::ProcessSuite, wired the way `crmctl up` wires them): a user logs in
// over HTTP, calls accounts through the gateway with JSON, and the dashboard
// page is served.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/validate/credit_code.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

TEST(GatewayProcessTest, LoginAndCallThroughTheGateway) {
  testing::ProcessSuite suite({"identity", "accounts"});
  suite.gateway().SetEnv("CRM_CORS_ORIGINS", "https://crm.example.com");
  ASSERT_TRUE(suite.Start());

  httplib::Client c = suite.gateway().Client();
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

  EXPECT_TRUE(suite.Stop());
}

}  // namespace
}  // namespace crm
