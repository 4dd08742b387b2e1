// Lead scoring (domain/scoring): factors, weights, explanations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/leads/domain/scoring.h"

namespace crm::leads {
namespace {

const Factor& FactorOf(const Score& s, const std::string& name) {
  for (const Factor& f : s.factors)
    if (f.name == name) return f;
  static Factor none;
  ADD_FAILURE() << "no factor " << name;
  return none;
}

LeadDraft Full() {
  LeadDraft d;
  d.company_name = "云帆科技";
  d.contact_name = "王磊";
  d.phone = "+8613912340001";
  d.email = "wang@yunfan.cn";
  d.city = "上海";
  d.industry = "制造";
  d.company_size = 2000;
  d.region_code = "east";
  return d;
}

TEST(LeadScoringTest, EmptyProfileScoresLow) {
  LeadDraft d;
  d.phone = "+8613912340001";
  d.region_code = "north";
  Score s = ScoreLead({&d, -1, 0, 0}, ScoreWeights{});
  EXPECT_EQ(FactorOf(s, "completeness").points, 4);  // 1 of 7 x 25
  EXPECT_EQ(FactorOf(s, "channel").points, 10);      // unknown = 50
  EXPECT_EQ(FactorOf(s, "region").points, 5);        // half
  EXPECT_EQ(FactorOf(s, "company").points, 0);
  EXPECT_EQ(FactorOf(s, "engagement").points, 0);
  EXPECT_EQ(s.total, 19);
  EXPECT_EQ(s.factors.size(), 5u);
}

TEST(LeadScoringTest, FullProfileGoodChannelPriorityEverything) {
  LeadDraft d = Full();
  ScoreWeights w;
  w.priority_regions = {"east"};
  w.priority_industries = {"制造"};
  Score s = ScoreLead({&d, 100, 10, 10}, w);
  EXPECT_EQ(s.total, 100);
  EXPECT_EQ(FactorOf(s, "company").detail,
            "2000 employees, priority industry 制造");
}

TEST(LeadScoringTest, EngagementGrowsAndCaps) {
  LeadDraft d = Full();
  ScoreWeights w;
  int last = -1;
  for (int n = 0; n <= 6; ++n) {
    Score s = ScoreLead({&d, 50, n, 0}, w);
    EXPECT_GE(FactorOf(s, "engagement").points, last == -1 ? 0 : last);
    last = FactorOf(s, "engagement").points;
  }
  EXPECT_EQ(last, 18);  // 6 x 0.15 = 0.9 of 20
  Score replies = ScoreLead({&d, 50, 2, 2}, w);
  EXPECT_EQ(FactorOf(replies, "engagement").points, 16);  // 0.8 of 20
  Score capped = ScoreLead({&d, 50, 20, 20}, w);
  EXPECT_EQ(FactorOf(capped, "engagement").points, 20);
}

TEST(LeadScoringTest, CompanySizeBands) {
  ScoreWeights w;
  auto company = [&](int size) {
    LeadDraft d = Full();
    d.industry.clear();
    d.company_size = size;
    return FactorOf(ScoreLead({&d, 50, 0, 0}, w), "company").points;
  };
  EXPECT_EQ(company(0), 0);
  EXPECT_EQ(company(5), 3);      // 0.7 x 0.2 x 25 = 3.4999 in doubles
  EXPECT_EQ(company(50), 7);     // 0.7 x 0.4 x 25
  EXPECT_EQ(company(500), 12);   // 0.7 x 0.7 x 25 = 12.25
  EXPECT_EQ(company(5000), 18);  // 0.7 x 1 x 25 = 17.5
}

TEST(LeadScoringTest, WeightsAreConfigurable) {
  LeadDraft d = Full();
  ScoreWeights w;
  w.completeness = 0;
  w.channel = 100;
  w.region = w.company = w.engagement = 0;
  Score s = ScoreLead({&d, 73, 0, 0}, w);
  EXPECT_EQ(s.total, 73);
  EXPECT_EQ(FactorOf(s, "channel").weight, 100);
  EXPECT_EQ(FactorOf(s, "completeness").points, 0);
}

TEST(LeadScoringTest, ValidateWeights) {
  EXPECT_TRUE(ValidateWeights(ScoreWeights{}).ok());
  ScoreWeights w;
  w.channel = -1;
  EXPECT_EQ(ValidateWeights(w).code(), absl::StatusCode::kInvalidArgument);
  w = ScoreWeights{};
  w.company = 60;  // sum 135
  EXPECT_EQ(ValidateWeights(w).code(), absl::StatusCode::kInvalidArgument);
  w = ScoreWeights{};
  w.completeness = w.channel = w.region = w.company = w.engagement = 0;
  EXPECT_EQ(ValidateWeights(w).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::leads
