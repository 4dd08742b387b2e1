// Recycle rules (domain/recycle_rules): parsing, every condition, tiers,
// exclusions, warnings and the churn-risk check.
#include <gtest/gtest.h>

#include "services/accounts/domain/recycle_rules.h"

namespace crm::accounts {
namespace {

using Action = RecycleDecision::Action;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
absl::Duration Days(double d) { return absl::Hours(24 * d); }

RecycleFacts Owned(absl::Duration ago_owned, absl::Time now) {
  RecycleFacts f;
  f.status = AccountStatus::kFollowing;
  f.owned_since = now - ago_owned;
  return f;
}

TEST(RecycleRulesTest, EmptyJsonGivesDefaults) {
  for (const char* text : {"", "[]"}) {
    auto rules = ParseRecycleRules(text);
    ASSERT_TRUE(rules.ok()) << rules.status();
    ASSERT_EQ(rules->size(), 2u);
    EXPECT_EQ((*rules)[0].no_follow_up_days, 10);
    EXPECT_EQ((*rules)[1].not_won_days, 90);
    EXPECT_FALSE((*rules)[0].include_signed);
    EXPECT_EQ((*rules)[0].warn_days_before, 2);
  }
}

TEST(RecycleRulesTest, ParsesEveryFieldAndRoundTrips) {
  auto rules = ParseRecycleRules(
      R"([{"name":"a-tier","no_follow_up_days":30,"not_won_days":180,
           "tier":"A","include_signed":true,"include_protected":true,
           "target_pool_id":7,"warn_days_before":5},
          {"no_follow_up_days":5,"tier":2}])");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 2u);
  const RecycleRule& a = (*rules)[0];
  EXPECT_EQ(a.name, "a-tier");
  EXPECT_EQ(a.no_follow_up_days, 30);
  EXPECT_EQ(a.not_won_days, 180);
  EXPECT_EQ(a.tier, Tier::kA);
  EXPECT_TRUE(a.include_signed);
  EXPECT_TRUE(a.include_protected);
  EXPECT_EQ(a.target_pool_id, 7);
  EXPECT_EQ(a.warn_days_before, 5);
  EXPECT_EQ((*rules)[1].tier, Tier::kB);
  EXPECT_EQ((*rules)[1].name, "rule_2");
  EXPECT_EQ((*rules)[1].warn_days_before, 2);
  auto again = ParseRecycleRules(RecycleRulesToJson(*rules));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(RecycleRulesToJson(*again), RecycleRulesToJson(*rules));
}

TEST(RecycleRulesTest, RejectsBadRules) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (
      const Case& c : {
          Case{"{", "recycle_rules"},
          Case{"{}", "recycle_rules"},
          Case{"[1]", "recycle_rules[0]"},
          Case{R"([{"name":"x"}])", "recycle_rules[0].no_follow_up_days"},
          Case{R"([{"no_follow_up_days":-1}])",
               "recycle_rules[0].no_follow_up_days"},
          Case{R"([{"no_follow_up_days":"10"}])",
               "recycle_rules[0].no_follow_up_days"},
          Case{R"([{"not_won_days":99999}])", "recycle_rules[0].not_won_days"},
          Case{R"([{"no_follow_up_days":3,"tier":"D"}])",
               "recycle_rules[0].tier"},
          Case{R"([{"no_follow_up_days":3,"include_signed":1}])",
               "recycle_rules[0].include_signed"},
          Case{R"([{"no_follow_up_days":3,"target_pool_id":-4}])",
               "recycle_rules[0].target_pool_id"},
          Case{
              R"([{"no_follow_up_days":3},{"warn_days_before":-2,"not_won_days":1}])",
              "recycle_rules[1].warn_days_before"},
      }) {
    auto r = ParseRecycleRules(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << c.json;
    EXPECT_EQ(r.status().message().rfind(c.field, 0), 0u)
        << c.json << " -> " << r.status();
  }
}

TEST(RecycleRulesTest, NoFollowUpCountsFromLaterOfFollowUpAndOwnership) {
  const auto rules = DefaultRecycleRules();
  const absl::Time now = kT0;
  RecycleFacts f = Owned(Days(20), now);
  // Never followed up: 10 days from owned_since.
  EXPECT_EQ(Evaluate(rules, f, now).action, Action::kRecycle);
  EXPECT_EQ(Evaluate(rules, f, now).rule_name, "no_follow_up_10d");
  // Followed up 9 days ago: due in one day -> warning (2 days before).
  f.last_follow_up_at = now - Days(9);
  RecycleDecision d = Evaluate(rules, f, now);
  EXPECT_EQ(d.action, Action::kWarn);
  EXPECT_EQ(d.due, now + Days(1));
  // Followed up 7 days ago: due in 3 days, not yet warned.
  f.last_follow_up_at = now - Days(7);
  EXPECT_EQ(Evaluate(rules, f, now).action, Action::kKeep);
  // Exactly 10 days: due now.
  f.last_follow_up_at = now - Days(10);
  EXPECT_EQ(Evaluate(rules, f, now).action, Action::kRecycle);
  // A follow-up older than the ownership does not count against the owner.
  RecycleFacts g = Owned(Days(3), now);
  g.last_follow_up_at = now - Days(50);
  EXPECT_EQ(Evaluate(rules, g, now).action, Action::kKeep);
}

TEST(RecycleRulesTest, NotWonWithinDays) {
  const auto rules = DefaultRecycleRules();
  const absl::Time now = kT0;
  RecycleFacts f = Owned(Days(91), now);
  f.last_follow_up_at = now - Days(1);  // diligent, but no deal
  RecycleDecision d = Evaluate(rules, f, now);
  EXPECT_EQ(d.action, Action::kRecycle);
  EXPECT_EQ(d.rule_name, "not_won_90d");
  f.owned_since = now - Days(89);
  EXPECT_EQ(Evaluate(rules, f, now).action, Action::kWarn);
  // Signed before this ownership began: not won by this owner.
  f.owned_since = now - Days(91);
  f.first_signed_at = now - Days(200);
  EXPECT_EQ(Evaluate(rules, f, now).action, Action::kRecycle);
  // Won during this ownership (status not yet updated): never recycled by
  // the not-won rule.
  f.first_signed_at = now - Days(10);
  EXPECT_EQ(Evaluate(rules, f, now).action, Action::kKeep);
}

TEST(RecycleRulesTest, SignedCustomersExcludedUnlessIncluded) {
  RecycleFacts f = Owned(Days(400), kT0);
  f.status = AccountStatus::kSigned;
  f.first_signed_at = kT0 - Days(300);
  EXPECT_EQ(Evaluate(DefaultRecycleRules(), f, kT0).action, Action::kKeep);
  RecycleRule r;
  r.name = "all";
  r.no_follow_up_days = 30;
  r.include_signed = true;
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kRecycle);
}

TEST(RecycleRulesTest, ProtectedExcludedUnlessIncluded) {
  RecycleFacts f = Owned(Days(40), kT0);
  f.is_protected = true;
  RecycleRule r;
  r.no_follow_up_days = 10;
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kKeep);
  r.include_protected = true;
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kRecycle);
}

TEST(RecycleRulesTest, PerTierDays) {
  RecycleRule a, c;
  a.name = "A";
  a.tier = Tier::kA;
  a.no_follow_up_days = 30;
  c.name = "C";
  c.tier = Tier::kC;
  c.no_follow_up_days = 7;
  c.target_pool_id = 99;
  std::vector<RecycleRule> rules = {a, c};
  RecycleFacts f = Owned(Days(15), kT0);
  f.tier = Tier::kA;
  EXPECT_EQ(Evaluate(rules, f, kT0).action, Action::kKeep);
  f.tier = Tier::kC;
  RecycleDecision d = Evaluate(rules, f, kT0);
  EXPECT_EQ(d.action, Action::kRecycle);
  EXPECT_EQ(d.rule_name, "C");
  EXPECT_EQ(d.target_pool_id, 99);
  f.tier = Tier::kB;  // no rule for B
  EXPECT_EQ(Evaluate(rules, f, kT0).action, Action::kKeep);
  f.tier = Tier::kA;
  f.owned_since = kT0 - Days(31);
  EXPECT_EQ(Evaluate(rules, f, kT0).rule_name, "A");
}

TEST(RecycleRulesTest, ConditionsInOneRuleAreAnded) {
  RecycleRule r;
  r.no_follow_up_days = 10;
  r.not_won_days = 60;
  RecycleFacts f = Owned(Days(30), kT0);  // silent 30 days, owned 30
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kKeep);
  f.owned_since = kT0 - Days(61);
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kRecycle);
  f.last_follow_up_at = kT0 - Days(1);  // the follow-up condition fails now
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kKeep);
  EXPECT_EQ(RuleDueTime(r, f), kT0 + Days(9));
}

TEST(RecycleRulesTest, FirstDueRuleWinsAndSoonestWarning) {
  RecycleRule slow, fast;
  slow.name = "slow";
  slow.no_follow_up_days = 5;
  slow.target_pool_id = 1;
  fast.name = "fast";
  fast.no_follow_up_days = 3;
  fast.target_pool_id = 2;
  RecycleFacts f = Owned(Days(6), kT0);
  // Both due: the first in order decides.
  EXPECT_EQ(Evaluate({slow, fast}, f, kT0).rule_name, "slow");
  // Neither due, both warn: the sooner due one is reported.
  f.owned_since = kT0 - Days(2);
  slow.warn_days_before = 4;
  fast.warn_days_before = 2;
  RecycleDecision d = Evaluate({slow, fast}, f, kT0);
  EXPECT_EQ(d.action, Action::kWarn);
  EXPECT_EQ(d.rule_name, "fast");
  EXPECT_EQ(d.due, kT0 + Days(1));
}

TEST(RecycleRulesTest, WarnDaysZeroMeansNoWarning) {
  RecycleRule r;
  r.no_follow_up_days = 10;
  r.warn_days_before = 0;
  RecycleFacts f = Owned(Days(9.5), kT0);
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kKeep);
  r.warn_days_before = 1;
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kWarn);
}

TEST(RecycleRulesTest, NoOpportunityCountsFromTheLatestOpportunity) {
  RecycleRule r;
  r.no_opportunity_days = 30;
  RecycleFacts f = Owned(Days(100), kT0);
  // Never an opportunity: due 30 days after it was owned.
  EXPECT_EQ(RuleDueTime(r, f), kT0 - Days(70));
  // An opportunity 20 days ago restarts the clock.
  f.last_opportunity_at = kT0 - Days(20);
  EXPECT_EQ(RuleDueTime(r, f), kT0 + Days(10));
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kKeep);
  EXPECT_EQ(Evaluate({r}, f, kT0 + Days(9)).action, Action::kWarn);
  // One from before this ownership does not count.
  f.last_opportunity_at = kT0 - Days(200);
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kRecycle);
}

TEST(RecycleRulesTest, ProtectedAccountsStayUnlessTheRuleIncludesThem) {
  RecycleRule r;
  r.no_follow_up_days = 10;
  RecycleFacts f = Owned(Days(100), kT0);
  f.is_protected = true;
  EXPECT_FALSE(RuleDueTime(r, f).has_value());
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kKeep);
  r.include_protected = true;
  EXPECT_EQ(Evaluate({r}, f, kT0).action, Action::kRecycle);
}

TEST(RecycleRulesTest, ChurnRiskOnlyForQuietSignedCustomers) {
  RecycleFacts f = Owned(Days(100), kT0);
  EXPECT_FALSE(IsChurnRisk(f, kT0));  // not signed
  f.status = AccountStatus::kSigned;
  EXPECT_TRUE(IsChurnRisk(f, kT0));
  f.last_follow_up_at = kT0 - Days(59);
  EXPECT_FALSE(IsChurnRisk(f, kT0));
  f.last_follow_up_at = kT0 - Days(60);
  EXPECT_TRUE(IsChurnRisk(f, kT0));
  EXPECT_FALSE(IsChurnRisk(f, kT0, 61));
}

TEST(RecycleRulesTest, ReasonNamesTheRule) {
  RecycleRule r;
  r.name = "no_follow_up_10d";
  r.no_follow_up_days = 10;
  EXPECT_EQ(RecycleReason(r),
            "recycle rule no_follow_up_10d: no follow-up for 10 days");
}

}  // namespace
}  // namespace crm::accounts
