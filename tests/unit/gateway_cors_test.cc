// The CORS decision for configured origins and preflight headers.
#include <gtest/gtest.h>

#include <map>

#include "services/gateway/cors.h"

namespace crm::gateway {
namespace {

std::map<std::string, std::string> AsMap(const HeaderList& h) {
  return std::map<std::string, std::string>(h.begin(), h.end());
}

TEST(GatewayCorsTest, ParsesCommaList) {
  CorsPolicy p =
      CorsPolicy::Parse(" https://a.example.com, https://b.example.com/ ,,");
  EXPECT_FALSE(p.any());
  EXPECT_EQ(p.origins().size(), 2u);
  EXPECT_TRUE(p.Allows("https://a.example.com"));
  EXPECT_TRUE(p.Allows("https://b.example.com"));
  EXPECT_FALSE(p.Allows("https://c.example.com"));
  EXPECT_FALSE(p.Allows("http://a.example.com"));
  EXPECT_FALSE(p.Allows("https://a.example.com.evil.com"));
}

TEST(GatewayCorsTest, EmptyConfigAllowsNoOrigin) {
  CorsPolicy p = CorsPolicy::Parse("");
  EXPECT_FALSE(p.Allows("https://a.example.com"));
  EXPECT_TRUE(p.ResponseHeaders("https://a.example.com").empty());
  EXPECT_TRUE(p.PreflightHeaders("https://a.example.com").empty());
}

TEST(GatewayCorsTest, StarAllowsAnyRealOrigin) {
  CorsPolicy p = CorsPolicy::Parse("*");
  EXPECT_TRUE(p.Allows("https://x.example.com"));
  EXPECT_FALSE(p.Allows(""));
  EXPECT_FALSE(p.Allows("null"));
}

TEST(GatewayCorsTest, HeadersEchoTheOrigin) {
  CorsPolicy p = CorsPolicy::Parse("https://a.example.com");
  auto r = AsMap(p.ResponseHeaders("https://a.example.com"));
  EXPECT_EQ(r["Access-Control-Allow-Origin"], "https://a.example.com");
  EXPECT_EQ(r["Vary"], "Origin");
  EXPECT_EQ(r.count("Access-Control-Allow-Methods"), 0u);
  auto pre = AsMap(p.PreflightHeaders("https://a.example.com"));
  EXPECT_EQ(pre["Access-Control-Allow-Origin"], "https://a.example.com");
  EXPECT_NE(pre["Access-Control-Allow-Methods"].find("POST"),
            std::string::npos);
  EXPECT_NE(pre["Access-Control-Allow-Headers"].find("Authorization"),
            std::string::npos);
  EXPECT_EQ(pre["Access-Control-Max-Age"], "600");
}

}  // namespace
}  // namespace crm::gateway
