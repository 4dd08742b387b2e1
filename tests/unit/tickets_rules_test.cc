// Status machine, eligibility and automatic assignment rules.
#include <gtest/gtest.h>

#include "services/tickets/domain/auto_assign.h"
#include "services/tickets/domain/eligibility.h"
#include "services/tickets/domain/stats.h"
#include "services/tickets/domain/status_rules.h"

namespace crm::tickets {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
constexpr absl::StatusCode kPre = absl::StatusCode::kFailedPrecondition;

absl::StatusCode Move(Status from, Status to,
                      absl::Time resolved_at = absl::InfinitePast()) {
  return CheckTransition(from, to, resolved_at, kNow, 7).code();
}

TEST(StatusRules, HappyPath) {
  EXPECT_EQ(Move(Status::kAssigned, Status::kInProgress),
            absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kInProgress, Status::kWaitingOnCustomer),
            absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kWaitingOnCustomer, Status::kInProgress),
            absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kInProgress, Status::kResolved),
            absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kWaitingOnCustomer, Status::kResolved),
            absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kAssigned, Status::kResolved), absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kResolved, Status::kClosed), absl::StatusCode::kOk);
}

TEST(StatusRules, IllegalMoves) {
  EXPECT_EQ(Move(Status::kNew, Status::kInProgress), kPre);
  EXPECT_EQ(Move(Status::kNew, Status::kResolved), kPre);
  EXPECT_EQ(Move(Status::kNew, Status::kAssigned), kPre);  // use Grab/Assign
  EXPECT_EQ(Move(Status::kInProgress, Status::kNew), kPre);
  EXPECT_EQ(Move(Status::kInProgress, Status::kInProgress), kPre);
  EXPECT_EQ(Move(Status::kInProgress, Status::kClosed), kPre);
  EXPECT_EQ(Move(Status::kClosed, Status::kResolved), kPre);
  EXPECT_EQ(Move(Status::kResolved, Status::kWaitingOnCustomer), kPre);
  absl::Status s =
      CheckTransition(Status::kNew, Status::kClosed, kNow, kNow, 7);
  EXPECT_NE(s.message().find("from new to closed"), std::string::npos) << s;
}

TEST(StatusRules, ReopenWithinWindowOnly) {
  const absl::Time resolved = kNow - absl::Hours(24 * 7);
  EXPECT_EQ(Move(Status::kResolved, Status::kInProgress, resolved),
            absl::StatusCode::kOk);
  EXPECT_EQ(Move(Status::kClosed, Status::kInProgress, resolved),
            absl::StatusCode::kOk);
  EXPECT_EQ(
      Move(Status::kClosed, Status::kInProgress, resolved - absl::Seconds(1)),
      kPre);
  EXPECT_TRUE(IsReopen(Status::kClosed, Status::kInProgress));
  EXPECT_FALSE(IsReopen(Status::kAssigned, Status::kInProgress));
}

TEST(StatusRules, NamesRoundTrip) {
  for (Status s :
       {Status::kNew, Status::kAssigned, Status::kInProgress,
        Status::kWaitingOnCustomer, Status::kResolved, Status::kClosed}) {
    Status back;
    ASSERT_TRUE(ParseStatus(StatusName(s), &back));
    EXPECT_EQ(back, s);
  }
  Status ignored;
  EXPECT_FALSE(ParseStatus("open", &ignored));
}

TEST(StatusRules, Assignable) {
  EXPECT_TRUE(CheckAssignable(Status::kNew).ok());
  EXPECT_TRUE(CheckAssignable(Status::kWaitingOnCustomer).ok());
  EXPECT_EQ(CheckAssignable(Status::kResolved).code(), kPre);
  EXPECT_EQ(CheckAssignable(Status::kClosed).code(), kPre);
}

EligibilityInput Repair() {
  EligibilityInput in;
  in.requires_contract = true;
  in.account_id = 5;
  in.contract_id = 9;
  in.contract = ContractFacts{5, true, absl::CivilDay(2026, 1, 1),
                              absl::CivilDay(2026, 12, 31)};
  in.today = absl::CivilDay(2026, 11, 25);
  return in;
}

std::string Why(const EligibilityInput& in) {
  absl::StatusOr<Eligibility> e = DecideEligibility(in);
  if (e.ok()) return e->billable ? "billable: " + e->reason : "ok";
  EXPECT_EQ(e.status().code(), kPre);
  return std::string(e.status().message());
}

TEST(EligibilityTest, TypeWithoutContractIsAlwaysEligible) {
  EligibilityInput in;
  in.account_id = 5;
  EXPECT_EQ(Why(in), "ok");
}

TEST(EligibilityTest, CoveredRepair) { EXPECT_EQ(Why(Repair()), "ok"); }

TEST(EligibilityTest, EachFailedRuleSaysWhy) {
  EligibilityInput none = Repair();
  none.contract_id = 0;
  EXPECT_NE(Why(none).find("requires a contract_id"), std::string::npos);
  EligibilityInput missing = Repair();
  missing.contract.reset();
  EXPECT_NE(Why(missing).find("contract 9 not found"), std::string::npos);
  EligibilityInput other = Repair();
  other.contract->account_id = 6;
  EXPECT_NE(Why(other).find("another account"), std::string::npos);
  EligibilityInput unsigned_c = Repair();
  unsigned_c.contract->is_signed = false;
  EXPECT_NE(Why(unsigned_c).find("not signed"), std::string::npos);
  EligibilityInput early = Repair();
  early.today = absl::CivilDay(2025, 12, 31);
  EXPECT_NE(Why(early).find("starts on 2026-01-01"), std::string::npos);
  EligibilityInput late = Repair();
  late.today = absl::CivilDay(2027, 1, 1);
  EXPECT_NE(Why(late).find("ended on 2026-12-31"), std::string::npos);
}

TEST(EligibilityTest, PeriodBoundsAreInclusive) {
  EligibilityInput first = Repair();
  first.today = absl::CivilDay(2026, 1, 1);
  EXPECT_EQ(Why(first), "ok");
  EligibilityInput last = Repair();
  last.today = absl::CivilDay(2026, 12, 31);
  EXPECT_EQ(Why(last), "ok");
}

TEST(EligibilityTest, BillableTypeAcceptsWithReason) {
  EligibilityInput late = Repair();
  late.billable_if_ineligible = true;
  late.today = absl::CivilDay(2027, 2, 1);
  EXPECT_EQ(Why(late),
            "billable: contract 9 service period ended on 2026-12-31");
}

// A repair naming product 42 (SKU PRN-42) on contract 9 whose quote 7
// lists products 41 and 42.
EligibilityInput RepairOfProduct() {
  EligibilityInput in = Repair();
  in.contract->quote_id = 7;
  in.contract->covered_products = {41, 42};
  in.product = ProductRef{42, "PRN-42"};
  return in;
}

TEST(EligibilityTest, ProductOnTheQuoteIsCovered) {
  EXPECT_EQ(Why(RepairOfProduct()), "ok");
  EXPECT_TRUE(Covers(RepairOfProduct().contract.value(), 41));
}

TEST(EligibilityTest, ProductNotOnTheQuoteIsNotCovered) {
  EligibilityInput other = RepairOfProduct();
  other.product = ProductRef{43, "SCN-43"};
  EXPECT_EQ(Why(other),
            "not eligible for free service: contract 9 does not cover "
            "product SCN-43 (id 43): not on quote 7");
  EligibilityInput empty = RepairOfProduct();
  empty.contract->covered_products.clear();
  EXPECT_NE(Why(empty).find("does not cover product PRN-42"),
            std::string::npos);
}

TEST(EligibilityTest, ContractWithoutQuoteCoversNoProduct) {
  EligibilityInput in = RepairOfProduct();
  in.contract->quote_id = 0;
  in.contract->covered_products.clear();
  EXPECT_EQ(Why(in),
            "not eligible for free service: contract 9 has no quote listing "
            "its products, so it does not cover product PRN-42 (id 42)");
  EXPECT_FALSE(Covers(in.contract.value(), 42));
  // Without a named product coverage is not asked.
  in.product.reset();
  EXPECT_EQ(Why(in), "ok");
}

TEST(EligibilityTest, CoverageIsCheckedAfterThePeriod) {
  EligibilityInput in = RepairOfProduct();
  in.product = ProductRef{43, "SCN-43"};
  in.today = absl::CivilDay(2027, 1, 1);
  EXPECT_NE(Why(in).find("ended on 2026-12-31"), std::string::npos);
  in.contract->is_signed = false;
  EXPECT_NE(Why(in).find("not signed"), std::string::npos);
}

TEST(EligibilityTest, UncoveredProductIsBillableWhenTheTypeSaysSo) {
  EligibilityInput in = RepairOfProduct();
  in.billable_if_ineligible = true;
  in.product = ProductRef{43, "SCN-43"};
  EXPECT_EQ(Why(in),
            "billable: contract 9 does not cover product SCN-43 (id 43): not "
            "on quote 7");
}

TEST(EligibilityTest, ProductOnATypeWithoutContractIsNotChecked) {
  EligibilityInput in;
  in.account_id = 5;
  in.product = ProductRef{43, "SCN-43"};
  EXPECT_EQ(Why(in), "ok");
}

TEST(AutoAssignTest, LeastLoadedWithSkill) {
  std::vector<AgentLoad> agents = {{1, {"printer"}, true, 3},
                                   {2, {"printer", "network"}, true, 1},
                                   {3, {"network"}, true, 0}};
  EXPECT_EQ(*PickAgent(agents, "printer", 0), 2);
  EXPECT_EQ(*PickAgent(agents, "network", 0), 3);
  EXPECT_EQ(*PickAgent(agents, "", 0), 3);
}

TEST(AutoAssignTest, RoundRobinOnTies) {
  std::vector<AgentLoad> agents = {
      {7, {}, true, 2}, {3, {}, true, 2}, {5, {}, true, 2}};
  EXPECT_EQ(*PickAgent(agents, "", 0), 3);
  EXPECT_EQ(*PickAgent(agents, "", 3), 5);
  EXPECT_EQ(*PickAgent(agents, "", 5), 7);
  EXPECT_EQ(*PickAgent(agents, "", 7), 3);  // wraps
  EXPECT_EQ(*PickAgent(agents, "", 4), 5);  // last one left the group
}

TEST(AutoAssignTest, InactiveAndSkillLessAgentsAreSkipped) {
  std::vector<AgentLoad> agents = {{1, {"a"}, false, 0}, {2, {"b"}, true, 0}};
  EXPECT_EQ(PickAgent(agents, "a", 0).status().code(), kPre);
  EXPECT_EQ(PickAgent({}, "", 0).status().code(), kPre);
  EXPECT_EQ(*PickAgent(agents, "", 0), 2);
}

}  // namespace
}  // namespace crm::tickets

namespace crm::tickets {
namespace {

TEST(StatsTest, NearestRankPercentiles) {
  EXPECT_EQ(Percentile({}, 50), 0);
  EXPECT_EQ(Percentile({7}, 90), 7);
  EXPECT_EQ(Percentile({4, 1, 3, 2}, 50), 2);
  EXPECT_EQ(Percentile({10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 90), 90);
  EXPECT_EQ(Percentile({10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110}, 90),
            100);
}

TEST(StatsTest, SummarizesPerKey) {
  std::vector<StatsInput> rows = {
      {"a", 60, 600, false, 5},
      {"a", 120, std::nullopt, true, 0},
      {"a", std::nullopt, std::nullopt, false, 3},
      {"b", 30, 300, true, 0},
  };
  auto s = Summarize(rows);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s["a"].volume, 3);
  EXPECT_EQ(s["a"].first_response_median, 60);
  EXPECT_EQ(s["a"].first_response_p90, 120);
  EXPECT_EQ(s["a"].resolution_median, 600);
  EXPECT_DOUBLE_EQ(s["a"].breach_rate, 1.0 / 3);
  EXPECT_DOUBLE_EQ(s["a"].satisfaction_avg, 4.0);
  EXPECT_EQ(s["a"].rated, 2);
  EXPECT_DOUBLE_EQ(s["b"].breach_rate, 1.0);
  EXPECT_EQ(s["b"].satisfaction_avg, 0);
}

}  // namespace
}  // namespace crm::tickets
