// The HTTP/JSON gateway in front of in-process identity and accounts (real
// MariaDB and Redis): login, JSON calls mapped generically to gRPC, the
// error format and status mapping, the denylist, auth, size limit, CORS,
// rate limits, deadlines, lead capture without the leads service, and the
// dashboard's static files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/gateway_harness.h"

namespace crm::gateway {
namespace {

using testing::GatewayHarness;
using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr char kAccounts[] = "/v1/crm.accounts.v1.AccountsService/";

class GatewayTest : public ::testing::Test {
 protected:
  static httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  // POSTs `body` and returns {status, parsed body}.
  std::pair<int, json> Post(const std::string& path, const std::string& body,
                            const httplib::Headers& headers = {},
                            int port = 0) {
    httplib::Client c = h_.Client(port);
    auto res = c.Post(path, headers, body, "application/json");
    EXPECT_TRUE(res) << path << ": " << httplib::to_string(res.error());
    if (!res) return {0, json()};
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json")
        << path;
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  static void ExpectError(const std::pair<int, json>& got, int http,
                          const std::string& code) {
    EXPECT_EQ(got.first, http) << got.second.dump();
    EXPECT_EQ(got.second.value("code", ""), code) << got.second.dump();
    EXPECT_EQ(got.second.value("http_status", 0), http);
    EXPECT_FALSE(got.second.value("message", "").empty());
  }

  int64_t NewAccount(const std::string& token, const std::string& name,
                     int code) {
    return h_.accounts().CreateAccountOk(
        token, testing::CompanyDraft(name, testing::CreditCode(code)));
  }

  GatewayHarness h_;
};

TEST_F(GatewayTest, LoginThenCallAnRpcWithJson) {
  auto login = Post("/v1/login", json{{"username", "admin"},
                                      {"password", testing::kAdminPassword}}
                                     .dump());
  ASSERT_EQ(login.first, 200) << login.second.dump();
  const std::string token = login.second.value("accessToken", "");
  ASSERT_FALSE(token.empty()) << login.second.dump();
  EXPECT_EQ(login.second["user"].value("username", ""), "admin");

  const int64_t id = NewAccount(token, "上海网关测试有限公司", 1);
  auto got = Post(absl::StrCat(kAccounts, "GetAccount"),
                  json{{"id", std::to_string(id)}}.dump(), Bearer(token));
  ASSERT_EQ(got.first, 200) << got.second.dump();
  EXPECT_EQ(got.second.value("id", ""), std::to_string(id));  // int64: string
  EXPECT_EQ(got.second.value("name", ""), "上海网关测试有限公司");
  // Zero values are printed too, so clients see every field.
  EXPECT_TRUE(got.second.contains("poolId")) << got.second.dump();

  // Numbers for int64 and snake_case names are accepted as well.
  auto list = Post(absl::StrCat(kAccounts, "ListAccounts"),
                   R"({"page_size": 10})", Bearer(token));
  ASSERT_EQ(list.first, 200) << list.second.dump();
  ASSERT_TRUE(list.second["accounts"].is_array());
  EXPECT_EQ(list.second["accounts"].size(), 1u);

  // The identity RPC is reachable by its full name too.
  auto who =
      Post("/v1/crm.identity.v1.IdentityService/WhoAmI", "", Bearer(token));
  EXPECT_EQ(who.first, 200) << who.second.dump();
}

TEST_F(GatewayTest, WritesGoThroughAndBackendErrorsAreMapped) {
  auto rep = h_.accounts().User("rep.gw1", "e1", "sales_rep");
  json create = {{"account",
                  {{"kind", "ACCOUNT_KIND_COMPANY"},
                   {"name", "杭州网关写入有限公司"},
                   {"creditCode", testing::CreditCode(2)},
                   {"type", "CUSTOMER_TYPE_SMB"}}},
                 {"requestId", "gw-create-1"}};
  auto created = Post(absl::StrCat(kAccounts, "CreateAccount"), create.dump(),
                      Bearer(rep.token));
  ASSERT_EQ(created.first, 200) << created.second.dump();
  const std::string id = created.second["account"].value("id", "");
  EXPECT_FALSE(id.empty());
  // A bad credit code: the backend's INVALID_ARGUMENT names the field.
  create["account"]["creditCode"] = "123";
  create["requestId"] = "gw-create-2";
  auto bad = Post(absl::StrCat(kAccounts, "CreateAccount"), create.dump(),
                  Bearer(rep.token));
  ExpectError(bad, 400, "INVALID_ARGUMENT");
  EXPECT_THAT(bad.second.value("message", ""), HasSubstr("credit_code"));
  // Another rep cannot see it: NOT_FOUND -> 404.
  auto other = h_.accounts().User("rep.gw2", "n1", "sales_rep");
  ExpectError(Post(absl::StrCat(kAccounts, "GetAccount"),
                   json{{"id", id}}.dump(), Bearer(other.token)),
              404, "NOT_FOUND");
}

TEST_F(GatewayTest, BadJsonIsInvalidArgument) {
  const std::string admin = h_.accounts().Admin();
  for (const char* body :
       {"{", "[1,2]", R"({"id": "abc"})", R"({"noSuchField": 1})",
        R"({"id": 1, "id": })", "null"}) {
    auto got = Post(absl::StrCat(kAccounts, "GetAccount"), body, Bearer(admin));
    ExpectError(got, 400, "INVALID_ARGUMENT");
    EXPECT_THAT(got.second.value("message", ""),
                HasSubstr("crm.accounts.v1.GetAccountRequest"))
        << body;
  }
}

TEST_F(GatewayTest, UnknownAndInternalRpcsAreNotFound) {
  const std::string admin = h_.accounts().Admin();
  ExpectError(
      Post(absl::StrCat(kAccounts, "NoSuchMethod"), "{}", Bearer(admin)), 404,
      "NOT_FOUND");
  ExpectError(Post("/v1/crm.nosuch.v1.NoService/Get", "{}", Bearer(admin)), 404,
              "NOT_FOUND");
  ExpectError(Post("/v1/not-a-service/Get", "{}", Bearer(admin)), 404,
              "NOT_FOUND");
  // The admin RPC exists in the proto, yet answers exactly like a method
  // that does not.
  auto recycle =
      Post(absl::StrCat(kAccounts, "RunRecycle"), "{}", Bearer(admin));
  ExpectError(recycle, 404, "NOT_FOUND");
  auto unknown =
      Post(absl::StrCat(kAccounts, "RunNothing"), "{}", Bearer(admin));
  EXPECT_EQ(recycle.second["message"].get<std::string>().find("RunRecycle") !=
                std::string::npos,
            unknown.second["message"].get<std::string>().find("RunNothing") !=
                std::string::npos);
  // Streaming RPCs are not offered over JSON.
  ExpectError(
      Post(absl::StrCat(kAccounts, "ImportAccounts"), "{}", Bearer(admin)), 501,
      "UNIMPLEMENTED");
  // GET on an API path.
  auto res = h_.Client().Get(absl::StrCat(kAccounts, "GetAccount"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  // A path nobody serves.
  res = h_.Client().Get("/nothing/here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(json::parse(res->body).value("code", ""), "NOT_FOUND");
}

TEST_F(GatewayTest, TokensAreRequiredAndChecked) {
  ExpectError(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}"), 401,
              "UNAUTHENTICATED");
  ExpectError(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}",
                   Bearer("forged.token.value")),
              401, "UNAUTHENTICATED");
  ExpectError(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}",
                   {{"Authorization", "Basic YWRtaW46eA=="}}),
              401, "UNAUTHENTICATED");
  ExpectError(
      Post("/v1/login",
           json{{"username", "admin"}, {"password", "wrong-password"}}.dump()),
      401, "UNAUTHENTICATED");
}

TEST_F(GatewayTest, OversizedBodiesAre413) {
  std::string big =
      absl::StrCat(R"({"name": ")", std::string(1 << 21, 'x'), R"("})");
  auto got = Post(absl::StrCat(kAccounts, "ListAccounts"), big,
                  Bearer(h_.accounts().Admin()));
  ExpectError(got, 413, "RESOURCE_EXHAUSTED");
  // The connection still serves the next request.
  EXPECT_EQ(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}",
                 Bearer(h_.accounts().Admin()))
                .first,
            200);
}

TEST_F(GatewayTest, CorsPreflightForConfiguredOriginsOnly) {
  httplib::Client c = h_.Client();
  auto ok = c.Options(absl::StrCat(kAccounts, "ListAccounts"),
                      {{"Origin", "https://crm.example.com"},
                       {"Access-Control-Request-Method", "POST"},
                       {"Access-Control-Request-Headers", "authorization"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 204);
  EXPECT_EQ(ok->get_header_value("Access-Control-Allow-Origin"),
            "https://crm.example.com");
  EXPECT_THAT(ok->get_header_value("Access-Control-Allow-Headers"),
              HasSubstr("Authorization"));
  auto denied = c.Options(absl::StrCat(kAccounts, "ListAccounts"),
                          {{"Origin", "https://evil.example.com"},
                           {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_FALSE(denied->has_header("Access-Control-Allow-Origin"));
  // The actual request from an allowed origin carries the header; from
  // another origin it does not (the browser then hides the reply).
  auto actual = c.Post(absl::StrCat(kAccounts, "ListAccounts"),
                       {{"Origin", "https://crm.example.com"},
                        {"Authorization", "Bearer " + h_.accounts().Admin()}},
                       "{}", "application/json");
  ASSERT_TRUE(actual);
  EXPECT_EQ(actual->status, 200);
  EXPECT_EQ(actual->get_header_value("Access-Control-Allow-Origin"),
            "https://crm.example.com");
  auto foreign = c.Post(absl::StrCat(kAccounts, "ListAccounts"),
                        {{"Origin", "https://evil.example.com"}}, "{}",
                        "application/json");
  ASSERT_TRUE(foreign);
  EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Origin"));
}

TEST_F(GatewayTest, RateLimitsPerIpAndPerUser) {
  const std::string admin = h_.accounts().Admin();
  GatewaySettings s = h_.Settings();
  s.limits.per_ip = 3;
  auto per_ip = h_.Start(s);
  // Anonymous calls count per address (the backend answers 401 to these).
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", {}, per_ip->port())
            .first,
        401);
  }
  httplib::Client c = h_.Client(per_ip->port());
  auto res =
      c.Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(json::parse(res->body).value("code", ""), "RESOURCE_EXHAUSTED");
  int retry_after = 0;
  EXPECT_TRUE(
      absl::SimpleAtoi(res->get_header_value("Retry-After"), &retry_after));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  // A signed-in user from the same address has a budget of their own.
  EXPECT_EQ(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", Bearer(admin),
                 per_ip->port())
                .first,
            200);

  // Per user: two users from the same address are counted apart.
  s = h_.Settings();
  s.limits.per_user = 2;
  auto per_user = h_.Start(s);
  auto rep = h_.accounts().User("rep.gw3", "e1", "sales_rep");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", Bearer(admin),
                   per_user->port())
                  .first,
              200);
  }
  ExpectError(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", Bearer(admin),
                   per_user->port()),
              429, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}",
                 Bearer(rep.token), per_user->port())
                .first,
            200);
}

TEST_F(GatewayTest, DeadlinesArePropagated) {
  const std::string admin = h_.accounts().Admin();
  httplib::Headers h = Bearer(admin);
  h.emplace("grpc-timeout", "1u");
  ExpectError(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", h), 504,
              "DEADLINE_EXCEEDED");
  h = Bearer(admin);
  h.emplace("grpc-timeout", "5S");
  EXPECT_EQ(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", h).first, 200);
  h = Bearer(admin);
  h.emplace("grpc-timeout", "soon");
  ExpectError(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", h), 400,
              "INVALID_ARGUMENT");
}

TEST_F(GatewayTest, PublicLeadsValidateThenNeedTheLeadsService) {
  // No login needed; the form is checked before anything else.
  auto bad = Post("/v1/public/leads", R"({"company_name": "星河"})");
  ExpectError(bad, 400, "INVALID_ARGUMENT");
  EXPECT_THAT(bad.second.value("message", ""), HasSubstr("campaign_key"));
  // The leads service is not configured for this gateway.
  ExpectError(Post("/v1/public/leads", json{{"campaign_key", "spring"},
                                            {"company_name", "上海星河"},
                                            {"phone", "13800138000"}}
                                           .dump()),
              503, "UNAVAILABLE");
  // Strict per-IP limit.
  GatewaySettings s = h_.Settings();
  s.limits.public_leads_per_ip = 2;
  auto strict = h_.Start(s);
  for (int i = 0; i < 2; ++i) {
    Post("/v1/public/leads", "{}", {}, strict->port());
  }
  ExpectError(Post("/v1/public/leads", "{}", {}, strict->port()), 429,
              "RESOURCE_EXHAUSTED");
}

TEST_F(GatewayTest, DescribesMethodFieldsForClients) {
  httplib::Client c = h_.Client();
  auto res = c.Get("/v1/describe/crm.accounts.v1.AccountsService/ListAccounts");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json d = json::parse(res->body);
  EXPECT_EQ(d["input"].value("type", ""),
            "crm.accounts.v1.ListAccountsRequest");
  bool org_unit = false, tier_enum = false;
  for (const json& f : d["input"]["fields"]) {
    if (f["name"] == "org_unit_id") {
      org_unit = f["jsonName"] == "orgUnitId" && f["type"] == "int64";
    }
    if (f["name"] == "tier") {
      tier_enum = f["type"] == "enum" && f["enumValues"].size() == 4;
    }
  }
  EXPECT_TRUE(org_unit) << res->body;
  EXPECT_TRUE(tier_enum) << res->body;
  res = c.Get("/v1/describe/crm.accounts.v1.AccountsService/RunRecycle");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = c.Get("/v1/describe/crm.orders.v1.NoSuchService/Get");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(GatewayTest, ServesHealthAndTheDashboard) {
  httplib::Client c = h_.Client();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"),
            "text/html; charset=utf-8");
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
  EXPECT_THAT(index->body, HasSubstr("id=\"login-form\""));
  auto js = c.Get("/static/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  auto css = c.Get("/static/style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  auto pkg = c.Get("/static/package.json");
  ASSERT_TRUE(pkg);
  EXPECT_EQ(pkg->status, 404);
  auto escape = c.Get("/static/../CMakeLists.txt");
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 404);
  auto hidden = c.Get("/static/.gitignore");
  ASSERT_TRUE(hidden);
  EXPECT_EQ(hidden->status, 404);
}

}  // namespace
}  // namespace crm::gateway
