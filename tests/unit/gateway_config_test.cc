// The gateway's settings: backend addresses per proto package (as
// `crmctl up` passes them), limits, and bad values reported by Finish().
#include "services/gateway/gateway_config.h"

#include <gtest/gtest.h>

namespace crm::gateway {
namespace {

ConfigReader Reader(std::vector<std::string> args,
                    std::map<std::string, std::string> env = {}) {
  return ConfigReader(
      std::move(args),
      [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
}

TEST(GatewayConfigTest, DefaultsFollowTheDesign) {
  ConfigReader c = Reader({});
  GatewaySettings s = GatewaySettings::Read(c);
  ASSERT_TRUE(c.Finish().ok());
  EXPECT_EQ(s.listen, "0.0.0.0:8080");
  EXPECT_EQ(s.backends.at("crm.identity.v1"), "127.0.0.1:50051");
  EXPECT_EQ(s.backends.at("crm.leads.v1"), "127.0.0.1:50052");
  EXPECT_EQ(s.backends.at("crm.accounts.v1"), "127.0.0.1:50053");
  EXPECT_EQ(s.backends.at("crm.opportunities.v1"), "127.0.0.1:50054");
  EXPECT_EQ(s.backends.at("crm.orders.v1"), "127.0.0.1:50055");
  EXPECT_EQ(s.backends.at("crm.tickets.v1"), "127.0.0.1:50056");
  EXPECT_EQ(s.max_body_bytes, 1 << 20);
  EXPECT_EQ(s.default_timeout, absl::Seconds(10));
  EXPECT_TRUE(s.cors_origins.empty());
  EXPECT_FALSE(s.web_dir.empty());
}

TEST(GatewayConfigTest, ReadsEnvironmentAndFlags) {
  ConfigReader c = Reader(
      {"--cors_origins=https://a.example.com", "--rate_limit_per_user=5"},
      {{"CRM_ACCOUNTS_ADDR", "10.0.0.3:7000"},
       {"CRM_ORDERS_ADDR", "orders:50055"},
       {"CRM_MAX_BODY_BYTES", "2048"},
       {"CRM_DEFAULT_TIMEOUT", "3s"}});
  GatewaySettings s = GatewaySettings::Read(c);
  ASSERT_TRUE(c.Finish().ok());
  EXPECT_EQ(s.backends.at("crm.accounts.v1"), "10.0.0.3:7000");
  EXPECT_EQ(s.backends.at("crm.orders.v1"), "orders:50055");
  EXPECT_EQ(s.cors_origins, "https://a.example.com");
  EXPECT_EQ(s.limits.per_user, 5);
  EXPECT_EQ(s.max_body_bytes, 2048);
  EXPECT_EQ(s.default_timeout, absl::Seconds(3));
}

TEST(GatewayConfigTest, BadValuesAreReportedTogether) {
  ConfigReader c = Reader(
      {"--max_body_bytes=10", "--rate_limit_per_ip=0", "--no_such_setting=1"});
  GatewaySettings::Read(c);
  absl::Status s = c.Finish();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  const std::string m(s.message());
  EXPECT_NE(m.find("max_body_bytes"), std::string::npos) << m;
  EXPECT_NE(m.find("rate_limit_per_ip"), std::string::npos) << m;
  EXPECT_NE(m.find("no_such_setting"), std::string::npos) << m;
}

}  // namespace
}  // namespace crm::gateway
