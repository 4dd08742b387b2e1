// Pure rules of the orders service: periods, payment plans, allocation,
// refunds, overdue boundary, approval chains, leaderboard keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/orders/domain/approval_rules.h"
#include "services/orders/domain/contract_rules.h"
#include "services/orders/domain/leaderboard_keys.h"
#include "services/orders/domain/payment_plan.h"
#include "services/orders/domain/periods.h"
#include "services/orders/domain/quote_rules.h"

namespace crm::orders {
namespace {

using ::testing::HasSubstr;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(Periods, ParsesEveryForm) {
  auto m = ParsePeriod("period", "2026-11");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->kind, PeriodKind::kMonth);
  EXPECT_EQ(m->first, D(2026, 11, 1));
  EXPECT_EQ(m->end, D(2026, 12, 1));
  auto q = ParsePeriod("period", "2026-Q4");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->first, D(2026, 10, 1));
  EXPECT_EQ(q->end, D(2027, 1, 1));
  auto y = ParsePeriod("period", "2026");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->end, D(2027, 1, 1));
  auto d = ParsePeriod("period", "2026-02-28");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, PeriodKind::kDay);
  auto w = ParsePeriod("period", "2026-W48");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->first, D(2026, 11, 23));  // a Monday
  EXPECT_EQ(w->key, "2026-W48");
}

TEST(Periods, RejectsBadText) {
  for (const char* bad : {"", "2026-13", "2026-Q5", "26-11", "2026/11",
                          "2026-02-30", "2026-W54", "1969", "2026-1"}) {
    auto p = ParsePeriod("period", bad);
    EXPECT_TRUE(absl::IsInvalidArgument(p.status())) << bad;
    if (!p.ok()) EXPECT_THAT(p.status().message(), HasSubstr("period:"));
  }
  EXPECT_FALSE(ParseDate("due_date", "2026-02-29").ok());
  EXPECT_TRUE(ParseDate("due_date", "2028-02-29").ok());
}

TEST(Periods, ContainingAndPrevious) {
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, D(2026, 11, 25)).key,
            "2026-W48");
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, D(2027, 1, 1)).key, "2026-W53");
  EXPECT_EQ(
      PreviousPeriod(PeriodContaining(PeriodKind::kMonth, D(2026, 1, 9))).key,
      "2025-12");
  EXPECT_EQ(
      PreviousPeriod(PeriodContaining(PeriodKind::kQuarter, D(2026, 2, 1))).key,
      "2025-Q4");
  EXPECT_EQ(
      PreviousPeriod(PeriodContaining(PeriodKind::kDay, D(2026, 3, 1))).key,
      "2026-02-28");
}

std::vector<PlannedInstallment> Plan(std::initializer_list<int64_t> amounts) {
  std::vector<PlannedInstallment> out;
  int i = 0;
  for (int64_t a : amounts) out.push_back({D(2026, 1 + i++, 1), a});
  return out;
}

TEST(PaymentPlan, MustSumExactly) {
  EXPECT_TRUE(ValidatePlan(1000, Plan({300, 300, 400})).ok());
  absl::Status over = ValidatePlan(1000, Plan({300, 300, 500}));
  EXPECT_TRUE(absl::IsInvalidArgument(over));
  EXPECT_THAT(over.message(), HasSubstr("installments[2].amount"));
  EXPECT_THAT(over.message(), HasSubstr("1100"));
  absl::Status under = ValidatePlan(1000, Plan({300, 300}));
  EXPECT_THAT(under.message(), HasSubstr("installments: they sum to 600"));
}

TEST(PaymentPlan, RejectsBadInstallments) {
  EXPECT_THAT(ValidatePlan(1000, {}).message(), HasSubstr("installments:"));
  EXPECT_THAT(ValidatePlan(1000, Plan({1000, 0})).message(),
              HasSubstr("installments[1].amount: must be positive"));
  EXPECT_THAT(ValidatePlan(1000, Plan({1100, -100})).message(),
              HasSubstr("installments[0].amount"));
  EXPECT_THAT(ValidatePlan(0, Plan({1})).message(), HasSubstr("amount:"));
  std::vector<PlannedInstallment> unordered = {{D(2026, 5, 1), 500},
                                               {D(2026, 4, 1), 500}};
  EXPECT_THAT(ValidatePlan(1000, unordered).message(),
              HasSubstr("installments[1].due_date"));
  std::vector<PlannedInstallment> many(121, {D(2026, 1, 1), 1});
  EXPECT_THAT(ValidatePlan(121, many).message(), HasSubstr("at most 120"));
}

TEST(ContractTerms, Rules) {
  ContractTerms t;
  t.title = "License";
  t.amount_minor = 100;
  t.start_date = D(2026, 1, 1);
  t.end_date = D(2026, 12, 31);
  t.plan = Plan({100});
  EXPECT_TRUE(ValidateTerms(t).ok());
  ContractTerms bad = t;
  bad.end_date = D(2025, 12, 31);
  EXPECT_THAT(ValidateTerms(bad).message(), HasSubstr("end_date"));
  bad = t;
  bad.title = "";
  EXPECT_THAT(ValidateTerms(bad).message(), HasSubstr("title"));
  bad = t;
  bad.renewal = true;
  EXPECT_THAT(ValidateTerms(bad).message(),
              HasSubstr("predecessor_contract_id: required"));
  bad = t;
  bad.predecessor_contract_id = 5;
  EXPECT_THAT(ValidateTerms(bad).message(),
              HasSubstr("predecessor_contract_id"));
}

std::vector<InstallmentBalance> Balances() {
  return {{11, 0, D(2026, 1, 10), 300, 0},
          {12, 1, D(2026, 2, 10), 300, 0},
          {13, 2, D(2026, 3, 10), 400, 0}};
}

TEST(Allocation, OldestDueFirstAndPartial) {
  auto a = AllocatePayment(Balances(), 450);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].installment_id, 11);
  EXPECT_EQ((*a)[0].amount_minor, 300);
  EXPECT_EQ((*a)[1].installment_id, 12);
  EXPECT_EQ((*a)[1].amount_minor, 150);
  auto plan = Balances();
  plan[0].paid_minor = 300;
  plan[1].paid_minor = 150;
  auto b = AllocatePayment(plan, 550);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0].installment_id, 12);
  EXPECT_EQ((*b)[0].amount_minor, 150);
  EXPECT_EQ((*b)[1].amount_minor, 400);
}

TEST(Allocation, OverCollectionNamesTheInstallment) {
  auto a = AllocatePayment(Balances(), 1001);
  EXPECT_TRUE(absl::IsInvalidArgument(a.status()));
  EXPECT_THAT(a.status().message(), HasSubstr("over-collect"));
  EXPECT_THAT(a.status().message(), HasSubstr("installments[2]"));
  auto one = AllocatePayment(Balances(), 301, 1);
  EXPECT_THAT(one.status().message(),
              HasSubstr("installments[1].amount: payment 301 exceeds the 300"));
  EXPECT_TRUE(AllocatePayment(Balances(), 300, 1).ok());
  EXPECT_FALSE(AllocatePayment(Balances(), 10, 7).ok());
  EXPECT_FALSE(AllocatePayment(Balances(), 0).ok());
}

TEST(Allocation, RefundsLatestDueFirst) {
  auto plan = Balances();
  plan[0].paid_minor = 300;
  plan[1].paid_minor = 100;
  auto r = AllocateRefund(plan, 150);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].installment_id, 12);
  EXPECT_EQ((*r)[0].amount_minor, -100);
  EXPECT_EQ((*r)[1].installment_id, 11);
  EXPECT_EQ((*r)[1].amount_minor, -50);
  EXPECT_THAT(AllocateRefund(plan, 401).status().message(),
              HasSubstr("refund 401 exceeds the 400 received"));
}

TEST(Overdue, BoundaryDay) {
  InstallmentBalance i{1, 0, D(2026, 3, 10), 100, 0};
  EXPECT_FALSE(IsOverdue(i, D(2026, 3, 9)));
  EXPECT_FALSE(IsOverdue(i, D(2026, 3, 10)));  // due today: not yet
  EXPECT_TRUE(IsOverdue(i, D(2026, 3, 11)));
  EXPECT_EQ(DaysOverdue(i.due_date, D(2026, 3, 11)), 1);
  EXPECT_EQ(DaysOverdue(i.due_date, D(2026, 3, 10)), 0);
  i.paid_minor = 100;
  EXPECT_FALSE(IsOverdue(i, D(2026, 4, 1)));
}

TEST(ApprovalChains, DefaultsAddCommercialReview) {
  const auto chains = DefaultChains();
  auto smb = ChooseChain(chains, CustomerType::kSmb, 500'000);
  ASSERT_TRUE(smb.ok());
  EXPECT_EQ(smb->steps, (std::vector<std::string>{"sales_manager", "finance"}));
  auto ka = ChooseChain(chains, CustomerType::kKa, 500'000);
  EXPECT_EQ(ka->steps,
            (std::vector<std::string>{"sales_manager", "boss", "finance"}));
  auto big =
      ChooseChain(chains, CustomerType::kSmb, kCommercialReviewFromMinor);
  EXPECT_EQ(big->steps.size(), 3u);
  auto just_below =
      ChooseChain(chains, CustomerType::kSmb, kCommercialReviewFromMinor - 1);
  EXPECT_EQ(just_below->steps.size(), 2u);
}

TEST(ApprovalChains, SpecificTypeWinsTieAndNoMatchFails) {
  std::vector<ApprovalChain> chains = {
      {CustomerType::kAny, 1000, {"finance"}},
      {CustomerType::kSmb, 1000, {"sales_manager"}}};
  EXPECT_EQ(ChooseChain(chains, CustomerType::kSmb, 1000)->steps[0],
            "sales_manager");
  EXPECT_EQ(ChooseChain(chains, CustomerType::kKa, 1000)->steps[0], "finance");
  EXPECT_TRUE(absl::IsFailedPrecondition(
      ChooseChain(chains, CustomerType::kKa, 999).status()));
}

TEST(ApprovalChains, Validation) {
  EXPECT_TRUE(ValidateChains(DefaultChains()).ok());
  EXPECT_FALSE(ValidateChains({}).ok());
  EXPECT_THAT(
      ValidateChains({{CustomerType::kAny, 0, {"sales_rep"}}}).message(),
      HasSubstr("chains[0].steps[0]"));
  EXPECT_THAT(ValidateChains({{CustomerType::kAny, 0, {}}}).message(),
              HasSubstr("chains[0].steps"));
  EXPECT_THAT(ValidateChains({{CustomerType::kAny, -1, {"finance"}}}).message(),
              HasSubstr("chains[0].min_amount"));
  EXPECT_THAT(ValidateChains({{CustomerType::kAny, 0, {"finance"}},
                              {CustomerType::kAny, 0, {"boss"}}})
                  .message(),
              HasSubstr("chains[1]"));
  auth::Principal fin;
  fin.roles = {"finance"};
  EXPECT_TRUE(CanActOnStep(fin, "finance"));
  EXPECT_FALSE(CanActOnStep(fin, "boss"));
  auth::Principal admin;
  admin.roles = {"admin"};
  EXPECT_TRUE(CanActOnStep(admin, "boss"));
  EXPECT_EQ(SplitSteps(JoinSteps({"a", "b"})),
            (std::vector<std::string>{"a", "b"}));
}

TEST(LeaderboardKeys, HashTagsAndAncestors) {
  Period p = PeriodContaining(PeriodKind::kMonth, D(2026, 11, 5));
  const std::string tag = BoardTag(BoardMetric::kSigned, p);
  EXPECT_EQ(tag, "{signed:month}:2026-11");
  // The previous month's boards share the hash tag (one slot, ADR 0037).
  EXPECT_EQ(UserBoardKey(BoardTag(BoardMetric::kSigned, PreviousPeriod(p))),
            "lb:{signed:month}:2026-10:user");
  EXPECT_EQ(BoardIndexKey(
                BoardTag(BoardMetric::kReceived,
                         PeriodContaining(PeriodKind::kDay, D(2026, 11, 5)))),
            "lb:{received:day}:2026-11-05:keys");
  EXPECT_EQ(UserBoardKey(tag), "lb:{signed:month}:2026-11:user");
  EXPECT_EQ(BoardReadyKey(tag), "lb:{signed:month}:2026-11:ready");
  auto bumps = BumpsFor(tag, 42, "/1/4/9/");
  ASSERT_EQ(bumps.size(), 5u);
  EXPECT_EQ(bumps[0].member, "42");
  EXPECT_EQ(bumps[1].key, "lb:{signed:month}:2026-11:sub:/1/");
  EXPECT_EQ(bumps[1].member, "4");
  EXPECT_EQ(bumps[2].key, "lb:{signed:month}:2026-11:users:/1/4/");
  EXPECT_EQ(bumps[2].member, "42");
  EXPECT_EQ(bumps[3].key, "lb:{signed:month}:2026-11:sub:/1/4/");
  EXPECT_EQ(bumps[3].member, "9");
  EXPECT_EQ(bumps[4].key, "lb:{signed:month}:2026-11:users:/1/4/9/");
  EXPECT_EQ(bumps[4].member, "42");
  // The root's individuals are the company board.
  EXPECT_EQ(UnitUsersBoardKey(tag, "/1/"), UserBoardKey(tag));
  EXPECT_EQ(BumpsFor(tag, 1, "/1/").size(), 1u);
}

TEST(QuoteRules, RoundsHalfUpPerLineAndSumsNets) {
  // 333 * 3 * 0.85 = 849.15 -> 849; 1 * 1 * 0.5 = 0.5 -> 1 (half up).
  auto t = PriceQuote({{333, 3, 1500}, {1, 1, 5000}, {1000, 2, 0}});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->nets, (std::vector<int64_t>{849, 1, 2000}));
  EXPECT_EQ(t->total_minor, 2850);
  EXPECT_EQ(t->list_total_minor, 999 + 1 + 2000);
  EXPECT_EQ(t->max_discount_bp, 5000);
  EXPECT_EQ(*LineNet(0, {10, 1, 10000}), 0);  // free
  EXPECT_EQ(*LineNet(0, {3, 1, 5000}), 2);    // 1.5 -> 2
  EXPECT_EQ(*LineNet(0, {1, 1, 5001}), 0);    // 0.4999 -> 0
}

TEST(QuoteRules, BadLinesAndLimits) {
  EXPECT_THAT(PriceQuote({}).status().message(), HasSubstr("lines"));
  EXPECT_THAT(PriceQuote({{1, 0, 0}}).status().message(),
              HasSubstr("lines[0].quantity"));
  EXPECT_THAT(PriceQuote({{1, 1, 0}, {1, 1, 10001}}).status().message(),
              HasSubstr("lines[1].discount_bp"));
  EXPECT_THAT(PriceQuote({{1'000'000'000'000'000, 2, 0}}).status().message(),
              HasSubstr("10^15"));
  auth::Principal rep, mgr, boss;
  rep.roles = {"sales_rep"};
  mgr.roles = {"sales_manager"};
  boss.roles = {"boss"};
  EXPECT_EQ(DiscountLimitBp(rep), 1000);
  EXPECT_EQ(DiscountLimitBp(mgr), 2500);
  EXPECT_EQ(DiscountLimitBp(boss), 10000);
}

}  // namespace
}  // namespace crm::orders
