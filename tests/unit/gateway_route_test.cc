// Gateway routing rules: URL -> RPC, the internal-RPC denylist, the
// grpc-timeout header and bearer tokens.
#include <gtest/gtest.h>

#include "services/gateway/route.h"

namespace crm::gateway {
namespace {

TEST(GatewayRouteTest, ParsesServiceAndMethod) {
  auto r = ParseRpcPath("/v1/crm.accounts.v1.AccountsService/GetAccount");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->service, "crm.accounts.v1.AccountsService");
  EXPECT_EQ(r->method, "GetAccount");
  EXPECT_EQ(r->package, "crm.accounts.v1");
}

TEST(GatewayRouteTest, RejectsMalformedPaths) {
  for (const char* p :
       {"", "/", "/v1/", "/v2/crm.a.v1.S/M", "/v1/crm.a.v1.S",
        "/v1/crm.a.v1.S/", "/v1/S/M", "/v1/.crm.S/M", "/v1/crm..S/M",
        "/v1/crm.a.v1.S./M", "/v1/crm.a.v1.S/M/extra", "/v1/crm.a.v1.S/M-x",
        "/v1/crm.a-b.v1.S/M", "/v1/crm.a.v1.S/M?x=1", "v1/crm.a.v1.S/M",
        "/v1/crm.a.v1.S/../M"}) {
    EXPECT_FALSE(ParseRpcPath(p).has_value()) << p;
  }
}

TEST(GatewayRouteTest, DeniesRunAndRebuildMethods) {
  for (const char* m :
       {"RunRecycle", "RunStaleCheck", "RunLeadRecycle", "RunOverdueCheck",
        "RunSlaCheck", "RebuildLeaderboards", "Run", "Rebuild", "RunX"}) {
    EXPECT_TRUE(IsInternalMethod(m)) << m;
  }
  for (const char* m : {"GetAccount", "Rundown", "Rebuilder", "ListRuns",
                        "RerunImport", "run", "Login", ""}) {
    EXPECT_FALSE(IsInternalMethod(m)) << m;
  }
}

TEST(GatewayRouteTest, ParsesGrpcTimeout) {
  EXPECT_EQ(ParseGrpcTimeout("500m"), absl::Milliseconds(500));
  EXPECT_EQ(ParseGrpcTimeout("2S"), absl::Seconds(2));
  EXPECT_EQ(ParseGrpcTimeout("1M"), absl::Minutes(1));
  EXPECT_EQ(ParseGrpcTimeout("1H"), absl::Hours(1));
  EXPECT_EQ(ParseGrpcTimeout("10u"), absl::Microseconds(10));
  EXPECT_EQ(ParseGrpcTimeout("1n"), absl::Nanoseconds(1));
  EXPECT_EQ(ParseGrpcTimeout("99999999S"), absl::Seconds(99999999));
  for (const char* bad : {"", "m", "10", "10s", "10ms", "-1S", "1.5S",
                          "123456789S", " 1S", "1S "}) {
    EXPECT_FALSE(ParseGrpcTimeout(bad).has_value()) << bad;
  }
}

TEST(GatewayRouteTest, ExtractsBearerTokens) {
  EXPECT_EQ(BearerToken("Bearer abc.def"), "abc.def");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER   abc  "), "abc");
  for (const char* bad : {"", "Bearer", "Bearer ", "Bearer    ", "Basic abc",
                          "Token abc", "Bearer a b", "abc"}) {
    EXPECT_FALSE(BearerToken(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace crm::gateway
