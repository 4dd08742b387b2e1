// Funnel, forecast, accounts-by-stage and stale math, and the event
// payloads, against hand-computed fixtures (pure).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/opportunities/domain/event_payloads.h"
#include "services/opportunities/domain/forecast.h"
#include "services/opportunities/domain/funnel.h"
#include "services/opportunities/domain/pipeline.h"
#include "services/opportunities/domain/stale_rules.h"

namespace crm::opportunities {
namespace {

// a(open) -> b(open) -> c(open) -> won -> lost.
PipelineDef Abc() {
  PipelineDef p;
  for (const char* c : {"a", "b", "c"}) {
    StageDef s;
    s.code = c;
    s.name = c;
    s.kind = StageKind::kOpen;
    p.stages.push_back(s);
  }
  StageDef won;
  won.code = "won";
  won.kind = StageKind::kWon;
  StageDef lost;
  lost.code = "lost";
  lost.kind = StageKind::kLost;
  p.stages.push_back(won);
  p.stages.push_back(lost);
  return p;
}

TEST(FunnelTest, HandComputedCohort) {
  // 10 opportunities:
  //   3 at a (never further), amounts 100 each  -> cell (0,0,3,300)
  //   2 at b, had reached c before (moved back)  -> cell (1,2,2,500)
  //   1 at c                                      -> cell (2,2,1,1000)
  //   2 won                                       -> cell (3,1,2,4000)
  //   2 lost: one from a, one after reaching b    -> (4,0,1,50) (4,1,1,70)
  std::vector<FunnelCell> cells = {{0, 0, 3, 300},  {1, 2, 2, 500},
                                   {2, 2, 1, 1000}, {3, 1, 2, 4000},
                                   {4, 0, 1, 50},   {4, 1, 1, 70}};
  // Stays in a: 24h x2, 48h x1, 72h x1: values 24,24,48,72 -> middle 24
  // and 48 -> 36h = 1.5 days.
  // Stays in b: 10h, 30h, 50h -> 30h = 1.25 days.
  std::vector<StayBucket> stays = {{0, 24, 2}, {0, 72, 1}, {0, 48, 1},
                                   {1, 50, 1}, {1, 10, 1}, {1, 30, 1}};
  FunnelResult r = ComputeFunnel(Abc(), cells, stays);
  ASSERT_EQ(r.stages.size(), 5u);
  EXPECT_EQ(r.total_count, 10);
  // reached: a = everyone (10); b = max>=1 or won: 2+1+2+1 = 6;
  // c = max>=2 or won: 2+1+2 = 5; won = 2; lost = 2.
  EXPECT_EQ(r.stages[0].reached_count, 10);
  EXPECT_EQ(r.stages[1].reached_count, 6);
  EXPECT_EQ(r.stages[2].reached_count, 5);
  EXPECT_EQ(r.stages[3].reached_count, 2);
  EXPECT_EQ(r.stages[4].reached_count, 2);
  // conversions: a->b 6/10 = 6000; b->c 5/6 = 8333.3 -> 8333;
  // c->won 2/5 = 4000; none for won/lost.
  EXPECT_EQ(r.stages[0].conversion_to_next_bp, 6000);
  EXPECT_EQ(r.stages[1].conversion_to_next_bp, 8333);
  EXPECT_EQ(r.stages[2].conversion_to_next_bp, 4000);
  EXPECT_EQ(r.stages[3].conversion_to_next_bp, 0);
  EXPECT_EQ(r.stages[4].conversion_to_next_bp, 0);
  // current counts and amounts
  EXPECT_EQ(r.stages[0].current_count, 3);
  EXPECT_EQ(r.stages[0].current_amount_minor, 300);
  EXPECT_EQ(r.stages[1].current_amount_minor, 500);
  EXPECT_EQ(r.stages[3].current_amount_minor, 4000);
  EXPECT_EQ(r.stages[4].current_count, 2);
  EXPECT_EQ(r.stages[4].current_amount_minor, 120);
  EXPECT_EQ(r.win_rate_bp, 2000);
  EXPECT_DOUBLE_EQ(r.stages[0].median_days_in_stage, 1.5);
  EXPECT_EQ(r.stages[0].completed_stays, 4);
  EXPECT_DOUBLE_EQ(r.stages[1].median_days_in_stage, 1.25);
  EXPECT_DOUBLE_EQ(r.stages[2].median_days_in_stage, 0);
  EXPECT_EQ(r.stages[2].completed_stays, 0);
}

TEST(FunnelTest, EmptyCohort) {
  FunnelResult r = ComputeFunnel(Abc(), {}, {});
  EXPECT_EQ(r.total_count, 0);
  EXPECT_EQ(r.win_rate_bp, 0);
  for (const auto& s : r.stages) EXPECT_EQ(s.conversion_to_next_bp, 0);
}

TEST(FunnelTest, StayBuckets) {
  EXPECT_EQ(StayBucketHours(0), 0);
  EXPECT_EQ(StayBucketHours(47), 47);
  EXPECT_EQ(StayBucketHours(48), 48);
  EXPECT_EQ(StayBucketHours(53), 48);
  EXPECT_EQ(StayBucketHours(54), 54);
  EXPECT_EQ(StayBucketHours(335), 330);
  EXPECT_EQ(StayBucketHours(336), 336);
  EXPECT_EQ(StayBucketHours(359), 336);
  EXPECT_EQ(StayBucketHours(1000), 984);
  // Buckets feed the median: 50h and 53h both count as 48h.
  FunnelResult r = ComputeFunnel(Abc(), {}, {{0, 50, 1}, {0, 53, 1}});
  EXPECT_DOUBLE_EQ(r.stages[0].median_days_in_stage, 2.0);
}

TEST(FunnelTest, RatioAndMedian) {
  EXPECT_EQ(RatioBp(1, 3), 3333);
  EXPECT_EQ(RatioBp(2, 3), 6667);  // half up
  EXPECT_EQ(RatioBp(1, 0), 0);
  EXPECT_EQ(RatioBp(5, 5), 10000);
  EXPECT_DOUBLE_EQ(MedianOf({}), 0);
  EXPECT_DOUBLE_EQ(MedianOf({{7, 1}}), 7);
  EXPECT_DOUBLE_EQ(MedianOf({{1, 1}, {9, 1}}), 5);
  EXPECT_DOUBLE_EQ(MedianOf({{5, 3}, {1, 1}}), 5);  // 1,5,5,5
  EXPECT_DOUBLE_EQ(MedianOf({{2, 2}, {4, 2}}), 3);  // 2,2,4,4
  EXPECT_DOUBLE_EQ(MedianOf({{3, 0}, {8, 1}}), 8);
}

TEST(ForecastTest, WeightedCommitBestCaseByOwner) {
  // Owner 5, CNY: 1,000,000 at 30% (2 opps) + 500,000 at 70% + 200,000 at
  // 90%; owner 6: 333 at 50%; owner 5 won 800,000 (1 opp).
  std::vector<OpenCell> open = {{"5", "CNY", 3000, 2, 1000000},
                                {"5", "CNY", 7000, 1, 500000},
                                {"5", "CNY", 9000, 1, 200000},
                                {"6", "CNY", 5000, 1, 333}};
  std::vector<WonCell> won = {{"5", "CNY", 1, 800000}};
  auto lines = ComputeForecast(ForecastGroup::kOwner, open, won, 7000);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].key, "5");
  EXPECT_EQ(lines[0].open_count, 4);
  // 300,000 + 350,000 + 180,000
  EXPECT_EQ(lines[0].weighted_minor, 830000);
  EXPECT_EQ(lines[0].commit_minor, 700000);  // the 70% and 90% ones
  EXPECT_EQ(lines[0].best_case_minor, 1700000);
  EXPECT_EQ(lines[0].won_minor, 800000);
  EXPECT_EQ(lines[0].won_count, 1);
  EXPECT_EQ(lines[1].key, "6");
  EXPECT_EQ(lines[1].weighted_minor, 166);  // floor(333 x 0.5)
  EXPECT_EQ(lines[1].commit_minor, 0);
}

TEST(ForecastTest, TeamsRegionsAndCurrencies) {
  std::vector<OpenCell> open = {{"/1/4/9/", "CNY", 5000, 1, 100},
                                {"/1/4/9/", "USD", 5000, 1, 10},
                                {"/1/4/10/", "CNY", 10000, 1, 40},
                                {"/1/5/", "CNY", 0, 1, 7}};
  auto teams = ComputeForecast(ForecastGroup::kTeam, open, {}, 7000);
  ASSERT_EQ(teams.size(), 4u);
  EXPECT_EQ(teams[0].key, "10");
  EXPECT_EQ(teams[1].key, "5");
  EXPECT_EQ(teams[2].key, "9");
  EXPECT_EQ(teams[2].currency, "CNY");
  EXPECT_EQ(teams[3].currency, "USD");
  auto regions = ComputeForecast(ForecastGroup::kRegion, open, {}, 7000);
  ASSERT_EQ(regions.size(), 3u);  // 4/CNY, 4/USD, 5/CNY
  EXPECT_EQ(regions[0].key, "4");
  EXPECT_EQ(regions[0].best_case_minor, 140);
  EXPECT_EQ(regions[0].weighted_minor, 50 + 40);
  EXPECT_EQ(regions[0].commit_minor, 40);
  EXPECT_EQ(GroupKey(ForecastGroup::kRegion, "/1/"), "1");
  EXPECT_EQ(GroupKey(ForecastGroup::kMonth, "2026-11"), "2026-11");
}

TEST(AccountsByStageTest, MostAdvancedOpenStage) {
  // Account 1: stages 0 and 2 -> 2. Account 2: 1. Account 3: 2, 4: 0.
  std::vector<AccountStage> rows = {{1, 0}, {1, 2}, {2, 1}, {3, 2}, {4, 0}};
  auto out = GroupAccountsByStage(rows, 3, 1);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].count, 1);
  EXPECT_THAT(out[0].sample, ::testing::ElementsAre(4));
  EXPECT_EQ(out[1].count, 1);
  EXPECT_EQ(out[2].count, 2);
  EXPECT_THAT(out[2].sample, ::testing::ElementsAre(1));  // limit 1
}

TEST(StaleTest, OncePerStalePeriod) {
  const absl::Time last = absl::FromUnixSeconds(1'700'000'000);
  const absl::Duration day = absl::Hours(24);
  StaleDecision d = DecideStale(last, 14, std::nullopt, last + 13 * day);
  EXPECT_FALSE(d.alert);
  EXPECT_EQ(d.idle_days, 13);
  d = DecideStale(last, 14, std::nullopt, last + 14 * day);
  EXPECT_TRUE(d.alert);
  EXPECT_EQ(d.stale_since, last + 14 * day);
  EXPECT_EQ(d.idle_days, 14);
  // Already alerted for this last activity: not again.
  EXPECT_FALSE(DecideStale(last, 14, last, last + 40 * day).alert);
  // A newer activity opens a new period.
  const absl::Time later = last + 20 * day;
  EXPECT_FALSE(DecideStale(later, 14, last, later + 10 * day).alert);
  EXPECT_TRUE(DecideStale(later, 14, last, later + 15 * day).alert);
  EXPECT_FALSE(DecideStale(last, 0, std::nullopt, last + 99 * day).alert);
  EXPECT_EQ(EffectiveStaleDays(0, 30), 30);
  EXPECT_EQ(EffectiveStaleDays(7, 30), 7);
}

TEST(EventPayloadTest, StaleAndWonContracts) {
  EventSubject s;
  s.opportunity_id = 11;
  s.account_id = 22;
  s.owner_id = 33;
  s.owner_org_path = "/1/4/";
  s.name = "ERP 项目";
  s.amount_minor = 5000;
  s.currency = "CNY";
  const absl::Time t = absl::FromUnixSeconds(1'764'000'000);
  nlohmann::json stale = StalePayload(s, 15, t);
  EXPECT_EQ(stale.dump(),
            nlohmann::json({{"opportunity_id", 11},
                            {"owner_id", 33},
                            {"owner_org_path", "/1/4/"},
                            {"account_id", 22},
                            {"opportunity_name", "ERP 项目"},
                            {"idle_days", 15},
                            {"stale_since", "2025-11-24T16:00:00Z"}})
                .dump());
  nlohmann::json won = WonPayload(s, "HT-9", t);
  EXPECT_EQ(won["contract_ref"], "HT-9");
  EXPECT_EQ(won["amount_minor"], 5000);
  EXPECT_EQ(won["currency"], "CNY");
  EXPECT_EQ(won["won_at"], "2025-11-24T16:00:00Z");
  EXPECT_EQ(won.size(), 8u);
  nlohmann::json lost = LostPayload(s, "price", "too dear", t);
  EXPECT_EQ(lost["loss_reason"], "price");
  nlohmann::json moved =
      StageChangedPayload(s, "move", "a", "", "b", "x", 33, t);
  EXPECT_EQ(moved["from_stage"], "a");
  EXPECT_EQ(moved["to_sub_stage"], "x");
  EXPECT_EQ(moved["kind"], "move");
}

}  // namespace
}  // namespace crm::opportunities
