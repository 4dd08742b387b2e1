#include "common/auth/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "common/auth/service_credentials.h"

namespace crm::auth {
namespace {

using ::testing::HasSubstr;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-test";

Principal Rep() {
  Principal p;
  p.user_id = 42;
  p.username = "rep.sh1.1";
  p.org_unit_id = 6;
  p.org_path = "/1/2/4/6/";
  p.roles = {"sales_rep"};
  p.scope = DataScope::kSelf;
  p.region_code = "east";
  return p;
}

TEST(TokenTest, IssueThenVerifyRoundTrips) {
  auto codec = TokenCodec::Create(kKey);
  ASSERT_TRUE(codec.ok());
  auto issued = codec->Issue(Rep(), absl::Minutes(15));
  auto p = codec->Verify(issued.token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user_id, 42);
  EXPECT_EQ(p->username, "rep.sh1.1");
  EXPECT_EQ(p->org_unit_id, 6);
  EXPECT_EQ(p->org_path, "/1/2/4/6/");
  EXPECT_EQ(p->roles, std::vector<std::string>{"sales_rep"});
  EXPECT_EQ(p->scope, DataScope::kSelf);
  EXPECT_EQ(p->region_code, "east");
}

TEST(TokenTest, ServiceTokenVerifiesAsServicePrincipal) {
  auto codec = TokenCodec::Create(kKey);
  ASSERT_TRUE(codec.ok());
  auto p =
      codec->Verify(codec->IssueService("accounts", absl::Minutes(5)).token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->IsService());
  EXPECT_EQ(p->service, "accounts");
  EXPECT_EQ(p->user_id, 0);
  EXPECT_EQ(p->scope, DataScope::kAll);
  EXPECT_TRUE(p->HasRole(kRoleService));
  EXPECT_FALSE(p->IsAdmin());
  EXPECT_EQ(p->org_path, "/");
}

TEST(TokenTest, ServiceRoleIsNotGrantableToUsers) {
  EXPECT_FALSE(IsKnownRole(kRoleService));
  EXPECT_EQ(ScopeOfRole(kRoleService), DataScope::kAll);
}

TEST(TokenTest, ServiceTokenWithWrongKeyIsRejected) {
  auto mine = TokenCodec::Create(kKey);
  auto theirs = TokenCodec::Create("another-key-another-key-another-key!!");
  auto p =
      mine->Verify(theirs->IssueService("accounts", absl::Minutes(5)).token);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(ServiceCredentialsTest, ReissuesBeforeExpiry) {
  auto clock = std::make_shared<ManualClock>(absl::Now());
  auto codec = TokenCodec::Create(kKey, clock);
  ASSERT_TRUE(codec.ok());
  ServiceCredentials creds(*codec, "orders", absl::Minutes(10), clock);
  const std::string first = creds.Token();
  EXPECT_EQ(creds.Token(), first);   // cached
  clock->Advance(absl::Minutes(6));  // past half the ttl
  const std::string second = creds.Token();
  EXPECT_NE(second, first);
  clock->Advance(absl::Minutes(9));  // first has expired, second has not
  EXPECT_FALSE(codec->Verify(first).ok());
  auto p = codec->Verify(creds.Token());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->service, "orders");
}

TEST(TokenTest, ShortKeyIsRejected) {
  EXPECT_EQ(TokenCodec::Create("short").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TokenTest, ExpiredByInjectedClock) {
  auto clock = std::make_shared<ManualClock>(absl::Now());
  auto codec = TokenCodec::Create(kKey, clock);
  auto issued = codec->Issue(Rep(), absl::Minutes(15));
  clock->Advance(absl::Minutes(14));
  EXPECT_TRUE(codec->Verify(issued.token).ok());
  clock->Advance(absl::Minutes(2));
  auto p = codec->Verify(issued.token);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(p.status().message(), HasSubstr("expired"));
}

TEST(TokenTest, AVerifiedTokenIsAnsweredAgainUntilItExpires) {
  auto clock = std::make_shared<ManualClock>(absl::Now());
  auto codec = TokenCodec::Create(kKey, clock);
  auto issued = codec->Issue(Rep(), absl::Minutes(15));
  auto first = codec->Verify(issued.token);
  ASSERT_TRUE(first.ok()) << first.status();
  TokenCodec copy = *codec;  // copies share the cache
  auto again = copy.Verify(issued.token);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->user_id, first->user_id);
  EXPECT_EQ(again->org_path, first->org_path);
  EXPECT_EQ(again->roles, first->roles);
  // Another key's codec never sees this cache.
  auto other = TokenCodec::Create(std::string(kKey).replace(0, 1, "x"), clock);
  EXPECT_FALSE(other->Verify(issued.token).ok());
  clock->Advance(absl::Minutes(16));
  EXPECT_EQ(copy.Verify(issued.token).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(TokenTest, ExpiredByRealTime) {
  // Issued two hours ago with a 15 minute life: the library's own check fails
  // too.
  auto clock = std::make_shared<ManualClock>(absl::Now() - absl::Hours(2));
  auto issuer = TokenCodec::Create(kKey, clock);
  auto verifier = TokenCodec::Create(kKey);
  auto p = verifier->Verify(issuer->Issue(Rep(), absl::Minutes(15)).token);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(TokenTest, WrongKeyIsForged) {
  auto a = TokenCodec::Create(kKey);
  auto b = TokenCodec::Create("another-key-another-key-another-key!");
  auto p = b->Verify(a->Issue(Rep(), absl::Minutes(5)).token);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(p.status().message(), HasSubstr("signature"));
}

TEST(TokenTest, TamperedPayloadIsRejected) {
  auto codec = TokenCodec::Create(kKey);
  std::string token = codec->Issue(Rep(), absl::Minutes(5)).token;
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  // Promote the rep to admin with ALL scope, keep the old signature.
  size_t pos = payload.find("\"sales_rep\"");
  ASSERT_NE(pos, std::string::npos);
  payload.replace(pos, 11, "\"admin\"");
  pos = payload.find("\"SELF\"");
  ASSERT_NE(pos, std::string::npos);
  payload.replace(pos, 6, "\"ALL\"");
  std::string forged =
      parts[0] + "." + absl::WebSafeBase64Escape(payload) + "." + parts[2];
  EXPECT_EQ(codec->Verify(forged).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(TokenTest, AlgNoneIsRejected) {
  auto codec = TokenCodec::Create(kKey);
  std::string token = codec->Issue(Rep(), absl::Minutes(5)).token;
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  const std::string header =
      absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  EXPECT_EQ(codec->Verify(header + "." + parts[1] + ".").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      codec->Verify(header + "." + parts[1] + "." + parts[2]).status().code(),
      absl::StatusCode::kUnauthenticated);
}

TEST(TokenTest, GarbageIsRejected) {
  auto codec = TokenCodec::Create(kKey);
  for (const std::string& bad : std::vector<std::string>{
           "", "x", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
           std::string(10000, 'a')}) {
    EXPECT_EQ(codec->Verify(bad).status().code(),
              absl::StatusCode::kUnauthenticated)
        << bad;
  }
}

}  // namespace
}  // namespace crm::auth
