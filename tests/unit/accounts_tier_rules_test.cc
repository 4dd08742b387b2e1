// Tier A/B/C from the signed amount over the window (domain/tier_rules.h).
#include <gtest/gtest.h>

#include "services/accounts/domain/tier_rules.h"

namespace crm::accounts {
namespace {

TEST(AccountsTierRulesTest, DefaultThresholdsAreInclusive) {
  const TierSettings s;
  EXPECT_EQ(s.window_days, 365);
  EXPECT_EQ(TierFor(0, s), Tier::kC);
  EXPECT_EQ(TierFor(9'999'999, s), Tier::kC);
  EXPECT_EQ(TierFor(10'000'000, s), Tier::kB);  // 100,000.00 CNY
  EXPECT_EQ(TierFor(99'999'999, s), Tier::kB);
  EXPECT_EQ(TierFor(100'000'000, s), Tier::kA);  // 1,000,000.00 CNY
  EXPECT_EQ(TierFor(int64_t{1} << 60, s), Tier::kA);
}

TEST(AccountsTierRulesTest, CustomThresholds) {
  TierSettings s;
  s.tier_a_min_minor = 500;
  s.tier_b_min_minor = 100;
  EXPECT_EQ(TierFor(99, s), Tier::kC);
  EXPECT_EQ(TierFor(100, s), Tier::kB);
  EXPECT_EQ(TierFor(500, s), Tier::kA);
}

TEST(AccountsTierRulesTest, WindowStart) {
  TierSettings s;
  s.window_days = 30;
  const absl::Time as_of = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_EQ(TierWindowStart(as_of, s), as_of - absl::Hours(24 * 30));
}

TEST(AccountsTierRulesTest, Validation) {
  EXPECT_TRUE(ValidateTierSettings(TierSettings{}).ok());
  TierSettings s;
  s.window_days = 0;
  EXPECT_EQ(ValidateTierSettings(s).message(), "window_days: must be 1..3650");
  s = TierSettings{};
  s.tier_a_min_minor = s.tier_b_min_minor;
  EXPECT_EQ(ValidateTierSettings(s).message(),
            "tier_a_min.amount_minor: must be greater than tier_b_min");
  s = TierSettings{};
  s.tier_b_min_minor = 0;
  EXPECT_EQ(ValidateTierSettings(s).message(),
            "tier_b_min.amount_minor: must be positive");
  s = TierSettings{};
  s.currency = "cny";
  EXPECT_FALSE(ValidateTierSettings(s).ok());
}

}  // namespace
}  // namespace crm::accounts
