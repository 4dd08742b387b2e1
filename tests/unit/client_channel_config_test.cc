// client::MakeChannel's service config (ADR 0096): replica lists and
// scheme targets are health-checked, a single host:port is not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/client/client.h"

namespace crm::client {
namespace {

TEST(ClientChannelConfigTest, ReplicaListsAndSchemesAreHealthChecked) {
  for (const char* address :
       {"10.0.0.5:50053,10.0.0.6:50053", "dns:///crm-accounts:50053",
        "ipv4:10.0.0.5:50053", "ipv6:[::1]:50053"}) {
    SCOPED_TRACE(address);
    EXPECT_TRUE(NamesReplicas(address));
    auto config = nlohmann::json::parse(ServiceConfigFor(address));
    EXPECT_EQ(config["healthCheckConfig"]["serviceName"], "");
    EXPECT_TRUE(config["loadBalancingConfig"][0].contains("round_robin"));
  }
}

TEST(ClientChannelConfigTest, OneAddressIsNotHealthChecked) {
  for (const char* address :
       {"127.0.0.1:50053", "crm-accounts:50053", "localhost:1"}) {
    SCOPED_TRACE(address);
    EXPECT_FALSE(NamesReplicas(address));
    auto config = nlohmann::json::parse(ServiceConfigFor(address));
    EXPECT_FALSE(config.contains("healthCheckConfig"));
    EXPECT_TRUE(config["loadBalancingConfig"][0].contains("round_robin"));
  }
}

TEST(ClientChannelConfigTest, ChannelsAreCreatedForEveryForm) {
  for (const char* address :
       {"127.0.0.1:1", "127.0.0.1:1,127.0.0.1:2", "dns:///localhost:1"}) {
    EXPECT_NE(MakeChannel(address), nullptr) << address;
  }
}

}  // namespace
}  // namespace crm::client
