// Channel ROI arithmetic (domain/channel_stats).
#include <gtest/gtest.h>

#include "services/leads/domain/channel_stats.h"

namespace crm::leads {
namespace {

TEST(LeadChannelStatsTest, ConversionRate) {
  EXPECT_DOUBLE_EQ(ConversionRate(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(ConversionRate(1, 4), 0.25);
  EXPECT_DOUBLE_EQ(ConversionRate(3, 3), 1.0);
}

TEST(LeadChannelStatsTest, CostPerConvertedRoundsHalfUp) {
  EXPECT_EQ(CostPerConverted(100000, 0), 0);
  EXPECT_EQ(CostPerConverted(100000, 4), 25000);
  EXPECT_EQ(CostPerConverted(10, 3), 3);  // 3.33
  EXPECT_EQ(CostPerConverted(11, 2), 6);  // 5.5 -> 6
  EXPECT_EQ(CostPerConverted(0, 5), 0);
}

}  // namespace
}  // namespace crm::leads
