// Assignment rules (domain/assignment): conditions, strategies, capacity,
// order. Each rule kind of the issue: round robin within a team,
// least-loaded with a cap, region/city match, score band.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/leads/domain/assignment.h"

namespace crm::leads {
namespace {

RuleSpec Rule(int64_t id, Strategy s, std::vector<int64_t> members) {
  RuleSpec r;
  r.id = id;
  r.name = "r";
  r.strategy = s;
  for (int64_t m : members) r.members.push_back({m, "/1/2/"});
  return r;
}

LeadFacts Lead(std::string region = "east", std::string city = "上海",
               int score = 50) {
  return LeadFacts{region, city, score};
}

TEST(LeadAssignmentTest, RoundRobinTakesTurnsFromTheCursor) {
  RuleSpec r = Rule(1, Strategy::kRoundRobin, {10, 11, 12});
  std::vector<int64_t> picked;
  for (int i = 0; i < 5; ++i) {
    auto p = ChooseAssignee({r}, Lead(), {});
    ASSERT_TRUE(p.has_value());
    picked.push_back(p->member.user_id);
    r.cursor = p->next_cursor;
  }
  EXPECT_THAT(picked, ::testing::ElementsAre(10, 11, 12, 10, 11));
}

TEST(LeadAssignmentTest, RoundRobinSkipsMembersAtCapacity) {
  RuleSpec r = Rule(1, Strategy::kRoundRobin, {10, 11, 12});
  r.capacity = 2;
  auto p = ChooseAssignee({r}, Lead(), {{10, 2}, {11, 5}});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->member.user_id, 12);
  EXPECT_EQ(p->next_cursor, 0);
  // A cursor beyond the members wraps.
  r.cursor = 7;
  p = ChooseAssignee({r}, Lead(), {});
  EXPECT_EQ(p->member.user_id, 11);
}

TEST(LeadAssignmentTest, LeastLoadedPicksFewestOpenLeads) {
  RuleSpec r = Rule(2, Strategy::kLeastLoaded, {10, 11, 12});
  auto p = ChooseAssignee({r}, Lead(), {{10, 3}, {11, 1}, {12, 2}});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->member.user_id, 11);
  // Ties go to list order; a member without leads counts 0.
  p = ChooseAssignee({r}, Lead(), {{10, 1}, {11, 1}});
  EXPECT_EQ(p->member.user_id, 12);
  p = ChooseAssignee({r}, Lead(), {});
  EXPECT_EQ(p->member.user_id, 10);
}

TEST(LeadAssignmentTest, LeastLoadedRespectsTheCap) {
  RuleSpec r = Rule(2, Strategy::kLeastLoaded, {10, 11});
  r.capacity = 3;
  EXPECT_FALSE(ChooseAssignee({r}, Lead(), {{10, 3}, {11, 4}}).has_value());
  auto p = ChooseAssignee({r}, Lead(), {{10, 3}, {11, 2}});
  EXPECT_EQ(p->member.user_id, 11);
}

TEST(LeadAssignmentTest, RegionAndCityMatch) {
  RuleSpec sh = Rule(3, Strategy::kRoundRobin, {20});
  sh.region_codes = {"east"};
  sh.cities = {"上海"};
  RuleSpec east = Rule(4, Strategy::kRoundRobin, {21});
  east.region_codes = {"east"};
  RuleSpec any = Rule(5, Strategy::kRoundRobin, {22});
  std::vector<RuleSpec> rules = {sh, east, any};
  EXPECT_EQ(ChooseAssignee(rules, Lead("east", "上海"), {})->rule_id, 3);
  EXPECT_EQ(ChooseAssignee(rules, Lead("east", "杭州"), {})->rule_id, 4);
  EXPECT_EQ(ChooseAssignee(rules, Lead("north", "北京"), {})->rule_id, 5);
}

TEST(LeadAssignmentTest, ScoreBands) {
  RuleSpec hot = Rule(6, Strategy::kRoundRobin, {30});
  hot.min_score = 80;
  RuleSpec warm = Rule(7, Strategy::kRoundRobin, {31});
  warm.min_score = 40;
  warm.max_score = 79;
  std::vector<RuleSpec> rules = {hot, warm};
  EXPECT_EQ(ChooseAssignee(rules, Lead("east", "", 95), {})->rule_id, 6);
  EXPECT_EQ(ChooseAssignee(rules, Lead("east", "", 80), {})->rule_id, 6);
  EXPECT_EQ(ChooseAssignee(rules, Lead("east", "", 79), {})->rule_id, 7);
  EXPECT_EQ(ChooseAssignee(rules, Lead("east", "", 40), {})->rule_id, 7);
  EXPECT_FALSE(ChooseAssignee(rules, Lead("east", "", 39), {}).has_value());
}

TEST(LeadAssignmentTest, FirstMatchWinsAndFullRulesFallThrough) {
  RuleSpec a = Rule(8, Strategy::kRoundRobin, {40});
  a.capacity = 1;
  RuleSpec b = Rule(9, Strategy::kRoundRobin, {41});
  EXPECT_EQ(ChooseAssignee({a, b}, Lead(), {})->rule_id, 8);
  EXPECT_EQ(ChooseAssignee({a, b}, Lead(), {{40, 1}})->rule_id, 9);
  a.enabled = false;
  EXPECT_EQ(ChooseAssignee({a, b}, Lead(), {})->rule_id, 9);
  EXPECT_FALSE(ChooseAssignee({}, Lead(), {}).has_value());
}

TEST(LeadAssignmentTest, ValidateRule) {
  RuleSpec r = Rule(1, Strategy::kRoundRobin, {1, 2});
  EXPECT_TRUE(ValidateRule(r).ok());
  auto code = [](RuleSpec x) { return ValidateRule(x).code(); };
  RuleSpec bad = r;
  bad.name.clear();
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.members.clear();
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.members.push_back({1, ""});
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.strategy = static_cast<Strategy>(0);
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.min_score = 60;
  bad.max_score = 50;
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.min_score = 101;
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.capacity = -1;
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.position = -1;
  EXPECT_EQ(code(bad), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::leads
