// Hostile HTTP and gRPC input (issue 12): oversized HTTP bodies and gRPC
// messages, deeply nested JSON at every JSON entry of the gateway (RPC
// bridge, login, public lead capture), JSON that is not UTF-8, NUL and
// unicode through the JSON bridge. Each gets a clean error, the gateway
// keeps serving, and nothing is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/gateway_harness.h"
#include "tests/testing/hostile_input.h"

namespace crm::gateway {
namespace {

using json = nlohmann::json;
constexpr char kAccounts[] = "/v1/crm.accounts.v1.AccountsService/";

class HostileGatewayTest : public ::testing::Test {
 protected:
  std::pair<int, json> Post(const std::string& path, const std::string& body,
                            const std::string& token = "") {
    httplib::Client c = h_.Client();
    c.set_read_timeout(30, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto res = c.Post(path, headers, body, "application/json");
    EXPECT_TRUE(res) << path << ": " << httplib::to_string(res.error());
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  int64_t Accounts() {
    return testing::CountRows(h_.accounts().schema(), "accounts");
  }

  // The gateway still answers a normal call.
  void ExpectHealthy(const std::string& token) {
    EXPECT_EQ(Post(absl::StrCat(kAccounts, "ListAccounts"), "{}", token).first,
              200);
  }

  testing::GatewayHarness h_;
};

std::string Nested(int depth, const std::string& open, const std::string& close,
                   const std::string& inner) {
  std::string s;
  s.reserve(depth * (open.size() + close.size()) + inner.size());
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST_F(HostileGatewayTest, DeeplyNestedJsonIsRejectedEverywhere) {
  const std::string token = h_.accounts().Admin();
  const int64_t before = Accounts();
  // 200 levels and 400k levels (inside the 1 MiB body limit) of arrays and
  // objects, as the whole body and inside a field.
  for (int depth : {200, 400000}) {
    const std::vector<std::string> bodies = {
        Nested(depth, "[", "]", "1"),
        Nested(depth, R"({"a":)", "}", "1"),
        absl::StrCat(R"({"account":{"name":)", Nested(depth, "[", "]", ""),
                     "}}"),
        absl::StrCat(R"({"account":)", Nested(depth, R"({"name":)", "}", "1"),
                     "}"),
    };
    for (const std::string& body : bodies) {
      if (body.size() > (1 << 20)) continue;
      for (const std::string& path :
           {absl::StrCat(kAccounts, "CreateAccount"), std::string("/v1/login"),
            std::string("/v1/public/leads")}) {
        auto got = Post(path, body, token);
        EXPECT_GE(got.first, 400) << path << " depth " << depth;
        EXPECT_LT(got.first, 500) << path << " depth " << depth << ": "
                                  << got.second.dump().substr(0, 300);
        EXPECT_TRUE(got.second.is_object()) << path;
      }
    }
  }
  ExpectHealthy(token);
  EXPECT_EQ(Accounts(), before);
}

TEST_F(HostileGatewayTest, OversizedHttpBodiesAre413AndWriteNothing) {
  const std::string token = h_.accounts().Admin();
  const int64_t before = Accounts();
  const std::string name(3 << 20, 'x');
  for (const std::string& path :
       {absl::StrCat(kAccounts, "CreateAccount"), std::string("/v1/login"),
        std::string("/v1/public/leads")}) {
    auto got = Post(path, json{{"account", {{"name", name}}}}.dump(), token);
    EXPECT_EQ(got.first, 413) << path;
    EXPECT_EQ(got.second.value("code", ""), "RESOURCE_EXHAUSTED") << path;
  }
  ExpectHealthy(token);
  EXPECT_EQ(Accounts(), before);
}

TEST_F(HostileGatewayTest, BadUtf8AndNulThroughTheJsonBridge) {
  const std::string token = h_.accounts().Admin();
  const int64_t before = Accounts();
  // Bytes that are not UTF-8 inside a JSON string.
  auto got = Post(absl::StrCat(kAccounts, "CreateAccount"),
                  "{\"account\":{\"name\":\"\xff\xfe bad\"}}", token);
  EXPECT_EQ(got.first, 400) << got.second.dump();
  // Lone surrogates in escapes.
  got = Post(absl::StrCat(kAccounts, "CreateAccount"),
             R"({"account":{"name":"\ud800 lone"}})", token);
  EXPECT_GE(got.first, 400);
  EXPECT_LT(got.first, 500) << got.second.dump();
  // NUL and a bidi override in a company name: rejected by the name rules.
  got = Post(
      absl::StrCat(kAccounts, "CreateAccount"),
      R"({"account":{"kind":"ACCOUNT_KIND_COMPANY","name":"A\u0000B 有限公司","creditCode":"91310000MA1000001X","regionCode":"east"}})",
      token);
  EXPECT_EQ(got.first, 400) << got.second.dump();
  EXPECT_EQ(Accounts(), before);
  // Emoji, RTL and 4-byte characters round-trip through JSON.
  const std::string name = "😀 שלום 𠀀 有限公司";
  json req = {{"account",
               {{"kind", "ACCOUNT_KIND_COMPANY"},
                {"name", name},
                {"creditCode", testing::CreditCode(4242)},
                {"regionCode", "east"}}},
              {"ignoreSimilar", true}};
  got = Post(absl::StrCat(kAccounts, "CreateAccount"), req.dump(), token);
  ASSERT_EQ(got.first, 200) << got.second.dump();
  const std::string id = got.second["account"].value("id", "");
  got = Post(absl::StrCat(kAccounts, "GetAccount"), json{{"id", id}}.dump(),
             token);
  ASSERT_EQ(got.first, 200);
  EXPECT_EQ(got.second.value("name", ""), name);
  EXPECT_EQ(Accounts(), before + 1);
}

TEST_F(HostileGatewayTest, OversizedGrpcMessagesAreRejectedCleanly) {
  auto channel = client::MakeChannel(h_.accounts_address());
  auto stub = crm::accounts::v1::AccountsService::NewStub(channel);
  const std::string token = h_.accounts().Admin();
  const int64_t before = Accounts();
  // 3 MB and 6 MB fit the servers' 16 MiB receive limit: the name rule
  // rejects them. 20 MB exceeds it: RESOURCE_EXHAUSTED before any code.
  struct Case {
    size_t bytes;
    grpc::StatusCode code;
  };
  for (const Case& c : {Case{3 << 20, grpc::StatusCode::INVALID_ARGUMENT},
                        Case{6 << 20, grpc::StatusCode::INVALID_ARGUMENT},
                        Case{20 << 20, grpc::StatusCode::RESOURCE_EXHAUSTED}}) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    crm::accounts::v1::CreateAccountRequest req;
    *req.mutable_account() = testing::CompanyDraft(std::string(c.bytes, 'x'),
                                                   testing::CreditCode(9));
    crm::accounts::v1::CreateAccountResponse out;
    grpc::Status s = stub->CreateAccount(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), c.code) << c.bytes << ": " << s.error_message();
  }
  // The server still serves on the same channel.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  crm::accounts::v1::CreateAccountRequest req;
  *req.mutable_account() =
      testing::CompanyDraft("正常客户有限公司", testing::CreditCode(10));
  crm::accounts::v1::CreateAccountResponse out;
  EXPECT_TRUE(stub->CreateAccount(&ctx, req, &out).ok());
  EXPECT_EQ(Accounts(), before + 1);
}

}  // namespace
}  // namespace crm::gateway
