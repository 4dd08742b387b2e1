// Targets, achievement (a unit's actual is its subtree's), the business
// summary and the key-account renewal list, against real MariaDB.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/orders/domain/periods.h"
#include "tests/testing/orders_harness.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;
using ::testing::HasSubstr;
using testing::OrdersHarness;

google::protobuf::Timestamp Ts(absl::CivilDay d) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(BusinessCalendar().StartOf(d)) + 3600);
  return t;
}

class OrdersReportsTest : public ::testing::Test {
 protected:
  // The clock only moves forward: the test's month is the next one.
  OrdersReportsTest()
      : month_(absl::CivilMonth(h_.calendar().DayOf(h_.clock().Now())) + 1),
        d1_(absl::CivilDay(month_)) {
    h_.clock().Set(h_.calendar().StartOf(d1_ + 4) + absl::Hours(9));
    a_ = h_.User("rep.a", "e1", "sales_rep");
    b_ = h_.User("rep.b", "e2", "sales_rep");
    c_ = h_.User("rep.c", "n1", "sales_rep");
    mgr_ = h_.User("mgr.east", "east", "sales_manager");
    boss_ = h_.User("boss.top", "root", "boss");
    period_ = PeriodContaining(PeriodKind::kMonth, d1_).key;
  }

  std::string Day(int offset) { return FormatDate(d1_ + offset); }

  pb::Contract Signed(const OrdersHarness::Login& rep, int64_t account,
                      int64_t amount, int end_offset, int64_t predecessor = 0,
                      int due_offset = 0) {
    pb::Contract d =
        OrdersHarness::Draft(account, amount, 1, Day(0), Day(end_offset));
    d.mutable_installments(0)->set_due_date(Day(due_offset));
    if (predecessor > 0) {
      d.set_type(pb::CONTRACT_TYPE_RENEWAL);
      d.set_predecessor_contract_id(predecessor);
    }
    return h_.SignedContract(rep.token, d);
  }

  grpc::Status SetTarget(const std::string& token, int64_t user,
                         const std::string& path, pb::Metric metric,
                         int64_t value, const std::string& period = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::SetTargetRequest req;
    req.mutable_target()->set_user_id(user);
    req.mutable_target()->set_org_path(path);
    req.mutable_target()->set_period(period.empty() ? period_ : period);
    req.mutable_target()->set_metric(metric);
    req.mutable_target()->set_value(value);
    pb::Target out;
    return h_.stub().SetTarget(&ctx, req, &out);
  }

  pb::Achievement Achieve(const std::string& token, int64_t user,
                          const std::string& path, pb::Metric metric,
                          grpc::Status* status = nullptr,
                          const std::string& period = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetAchievementRequest req;
    req.set_user_id(user);
    req.set_org_path(path);
    req.set_period(period.empty() ? period_ : period);
    req.set_metric(metric);
    pb::Achievement out;
    grpc::Status s = h_.stub().GetAchievement(&ctx, req, &out);
    if (status) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  OrdersHarness h_;
  absl::CivilMonth month_;
  absl::CivilDay d1_;
  std::string period_;
  OrdersHarness::Login a_, b_, c_, mgr_, boss_;
};

TEST_F(OrdersReportsTest, TargetsRollUpOverTheSubtree) {
  const int64_t acc_a = h_.Account(a_.token, "苏州甲有限公司");
  const int64_t acc_b = h_.Account(b_.token, "无锡乙有限公司");
  const int64_t acc_c = h_.Account(c_.token, "北京丙有限公司");
  pb::Contract ca = Signed(a_, acc_a, 1000, 10);
  Signed(b_, acc_b, 2000, 12);
  Signed(c_, acc_c, 500, 200);
  Signed(a_, acc_a, 700, 300, ca.id());
  const std::string east = h_.Path("east"), root = h_.Path("root");

  ASSERT_TRUE(
      SetTarget(boss_.token, 0, east, pb::METRIC_SIGNED_AMOUNT, 5000).ok());
  ASSERT_TRUE(
      SetTarget(boss_.token, 0, root, pb::METRIC_SIGNED_AMOUNT, 10000).ok());
  ASSERT_TRUE(
      SetTarget(mgr_.token, a_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 2000)
          .ok());
  // Setting again replaces.
  ASSERT_TRUE(
      SetTarget(boss_.token, 0, root, pb::METRIC_SIGNED_AMOUNT, 8400).ok());

  pb::Achievement e = Achieve(mgr_.token, 0, east, pb::METRIC_SIGNED_AMOUNT);
  EXPECT_EQ(e.actual(), 3700);
  EXPECT_EQ(e.target(), 5000);
  EXPECT_DOUBLE_EQ(e.rate(), 0.74);
  pb::Achievement r = Achieve(boss_.token, 0, root, pb::METRIC_SIGNED_AMOUNT);
  EXPECT_EQ(r.actual(), 4200);
  EXPECT_DOUBLE_EQ(r.rate(), 0.5);
  pb::Achievement me =
      Achieve(a_.token, a_.user_id, "", pb::METRIC_SIGNED_AMOUNT);
  EXPECT_EQ(me.actual(), 1700);
  EXPECT_EQ(me.target(), 2000);
  EXPECT_EQ(
      Achieve(mgr_.token, 0, h_.Path("e1"), pb::METRIC_SIGNED_AMOUNT).actual(),
      1700);
  EXPECT_EQ(Achieve(boss_.token, 0, root, pb::METRIC_RENEWAL_AMOUNT).actual(),
            700);
  EXPECT_EQ(Achieve(boss_.token, 0, root, pb::METRIC_NEW_CUSTOMERS).actual(),
            3);
  // The quarter and year include the month; the month before does not.
  const Period q = PeriodContaining(PeriodKind::kQuarter, d1_);
  EXPECT_EQ(
      Achieve(boss_.token, 0, root, pb::METRIC_SIGNED_AMOUNT, nullptr, q.key)
          .actual(),
      4200);
  const Period before =
      PreviousPeriod(PeriodContaining(PeriodKind::kMonth, d1_));
  EXPECT_EQ(Achieve(boss_.token, 0, root, pb::METRIC_SIGNED_AMOUNT, nullptr,
                    before.key)
                .actual(),
            0);
  // A manager's view of a user outside the subtree counts nothing.
  EXPECT_EQ(
      Achieve(mgr_.token, c_.user_id, "", pb::METRIC_SIGNED_AMOUNT).actual(),
      0);

  // Scope and bad input.
  grpc::Status s;
  Achieve(a_.token, 0, east, pb::METRIC_SIGNED_AMOUNT, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  Achieve(a_.token, b_.user_id, "", pb::METRIC_SIGNED_AMOUNT, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  Achieve(mgr_.token, 0, h_.Path("north"), pb::METRIC_SIGNED_AMOUNT, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  Achieve(mgr_.token, a_.user_id, east, pb::METRIC_SIGNED_AMOUNT, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Achieve(mgr_.token, 0, "east", pb::METRIC_SIGNED_AMOUNT, &s);
  EXPECT_THAT(s.error_message(), HasSubstr("org_path"));
  Achieve(mgr_.token, 0, east, pb::METRIC_UNSPECIFIED, &s);
  EXPECT_THAT(s.error_message(), HasSubstr("metric"));
  Achieve(mgr_.token, 0, east, pb::METRIC_SIGNED_AMOUNT, &s, "2026-W01");
  EXPECT_THAT(s.error_message(), HasSubstr("period"));
  s = SetTarget(a_.token, a_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = SetTarget(mgr_.token, 0, h_.Path("north"), pb::METRIC_SIGNED_AMOUNT, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = SetTarget(mgr_.token, 0, east, pb::METRIC_SIGNED_AMOUNT, -1);
  EXPECT_THAT(s.error_message(), HasSubstr("value"));

  grpc::ClientContext ctx;
  client::Prepare(&ctx, boss_.token);
  pb::ListTargetsRequest lreq;
  lreq.set_period(period_);
  pb::ListTargetsResponse list;
  ASSERT_TRUE(h_.stub().ListTargets(&ctx, lreq, &list).ok());
  EXPECT_EQ(list.targets_size(), 3);
}

// Targets name users and units that exist in the setter's subtree, asked
// of identity as the caller; anything else is NOT_FOUND, whether missing or
// out of scope (ADR 0002, 0036).
TEST_F(OrdersReportsTest, TargetsOnlyForUsersAndUnitsInTheSubtree) {
  const std::string east = h_.Path("east"), root = h_.Path("root");
  // In the manager's subtree: reps of e1 and e2, the manager, the units.
  EXPECT_TRUE(
      SetTarget(mgr_.token, a_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 10).ok());
  EXPECT_TRUE(
      SetTarget(mgr_.token, b_.user_id, "", pb::METRIC_RECEIVED_AMOUNT, 10)
          .ok());
  EXPECT_TRUE(
      SetTarget(mgr_.token, mgr_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 10)
          .ok());
  EXPECT_TRUE(
      SetTarget(mgr_.token, 0, h_.Path("e1"), pb::METRIC_SIGNED_AMOUNT, 10)
          .ok());
  EXPECT_TRUE(
      SetTarget(mgr_.token, 0, east, pb::METRIC_SIGNED_AMOUNT, 10).ok());

  // A rep of another region, a user that does not exist: the same answer.
  grpc::Status s =
      SetTarget(mgr_.token, c_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), absl::StrCat("user ", c_.user_id, " not found"));
  s = SetTarget(mgr_.token, 987654321, "", pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "user 987654321 not found");
  // The boss's own unit is above the manager.
  s = SetTarget(mgr_.token, boss_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  // Units: a missing unit under east, a real unit under a wrong path (n1
  // lives under north), a path that is not the unit's.
  s = SetTarget(mgr_.token, 0, absl::StrCat(east, "987654/"),
                pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = SetTarget(mgr_.token, 0,
                absl::StrCat(east, h_.accounts().Unit("n1"), "/"),
                pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = SetTarget(boss_.token, 0,
                absl::StrCat(root, h_.accounts().Unit("e1"), "/"),
                pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(SetTarget(boss_.token, 0, absl::StrCat(root, "0/"),
                      pb::METRIC_SIGNED_AMOUNT, 10)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The boss (whole company) reaches everyone.
  EXPECT_TRUE(
      SetTarget(boss_.token, c_.user_id, "", pb::METRIC_SIGNED_AMOUNT, 10)
          .ok());
  EXPECT_TRUE(
      SetTarget(boss_.token, 0, h_.Path("n1"), pb::METRIC_SIGNED_AMOUNT, 10)
          .ok());
  // Nothing was stored for the refused requests: east's list has the
  // manager's three user targets and two unit targets, the boss sees
  // c's target and n1's too.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, boss_.token);
  pb::ListTargetsRequest lreq;
  lreq.set_period(period_);
  pb::ListTargetsResponse list;
  ASSERT_TRUE(h_.stub().ListTargets(&ctx, lreq, &list).ok());
  EXPECT_EQ(list.targets_size(), 7);
  // The east manager lists east only: e1 and east, a, b and themselves —
  // not c's (north) target nor n1's, though the boss set them.
  grpc::ClientContext mctx;
  client::Prepare(&mctx, mgr_.token);
  ASSERT_TRUE(h_.stub().ListTargets(&mctx, lreq, &list).ok());
  EXPECT_EQ(list.targets_size(), 5);
  for (const pb::Target& t : list.targets()) {
    EXPECT_NE(t.user_id(), c_.user_id);
    EXPECT_NE(t.org_path(), h_.Path("n1"));
  }
  // A rep lists their own target only.
  grpc::ClientContext actx;
  client::Prepare(&actx, a_.token);
  ASSERT_TRUE(h_.stub().ListTargets(&actx, lreq, &list).ok());
  ASSERT_EQ(list.targets_size(), 1);
  EXPECT_EQ(list.targets(0).user_id(), a_.user_id);
  // Still bad input before anything is asked of identity.
  s = SetTarget(mgr_.token, -1, "", pb::METRIC_SIGNED_AMOUNT, 10);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OrdersReportsTest, BusinessSummaryForASubtree) {
  const int64_t acc_a = h_.Account(a_.token, "苏州甲有限公司");
  const int64_t acc_b = h_.Account(b_.token, "无锡乙有限公司");
  const int64_t acc_c = h_.Account(c_.token, "北京丙有限公司");
  // Both east contracts end this month; a's is renewed, b's is not.
  pb::Contract ca = Signed(a_, acc_a, 1000, 10);
  pb::Contract cb = Signed(b_, acc_b, 2000, 12, 0, /*due_offset=*/1);
  Signed(c_, acc_c, 500, 20);
  Signed(a_, acc_a, 700, 300, ca.id(), 40);
  const std::string fin = h_.Finance();
  ASSERT_TRUE(h_.Pay(fin, ca.id(), 600, Day(6), "S-1").ok());
  ASSERT_TRUE(h_.Pay(fin, cb.id(), 500, Day(7), "S-2").ok());
  ASSERT_TRUE(
      h_.Pay(fin, cb.id(), -100, Day(8), "S-3", nullptr, "overpaid").ok());
  const std::string east = h_.Path("east");
  ASSERT_TRUE(
      SetTarget(boss_.token, 0, east, pb::METRIC_SIGNED_AMOUNT, 7400).ok());
  ASSERT_TRUE(
      SetTarget(boss_.token, 0, east, pb::METRIC_RECEIVED_AMOUNT, 2000).ok());

  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr_.token);
  pb::GetBusinessSummaryRequest req;
  req.set_period(period_);
  *req.mutable_as_of() = Ts(d1_ + 20);
  pb::BusinessSummary s;
  grpc::Status st = h_.stub().GetBusinessSummary(&ctx, req, &s);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.org_path(), east);  // the caller's unit by default
  EXPECT_EQ(s.signed_().amount_minor(), 3700);
  EXPECT_EQ(s.contracts_signed(), 3);
  EXPECT_EQ(s.signed_target().amount_minor(), 7400);
  EXPECT_DOUBLE_EQ(s.signed_rate(), 0.5);
  EXPECT_EQ(s.received().amount_minor(), 1000);
  EXPECT_DOUBLE_EQ(s.received_rate(), 0.5);
  EXPECT_EQ(s.renewal_amount().amount_minor(), 700);
  EXPECT_EQ(s.renewals_due(), 2);
  EXPECT_EQ(s.renewals_done(), 1);
  EXPECT_DOUBLE_EQ(s.renewal_rate(), 0.5);
  EXPECT_EQ(s.new_customers(), 2);
  EXPECT_EQ(s.renewal_customers(), 1);
  // a's 1000 (due day 0, 600 paid) and b's 2000 (due day 1, 400 net paid).
  EXPECT_EQ(s.overdue_outstanding().amount_minor(), 400 + 1600);
  EXPECT_EQ(s.overdue_installments(), 2);

  // The whole company, as the boss.
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, boss_.token);
  ASSERT_TRUE(h_.stub().GetBusinessSummary(&ctx2, req, &s).ok());
  EXPECT_EQ(s.signed_().amount_minor(), 4200);
  EXPECT_EQ(s.renewals_due(), 3);

  // A rep has no dashboard; a manager none outside the subtree.
  grpc::ClientContext ctx3;
  client::Prepare(&ctx3, a_.token);
  EXPECT_EQ(h_.stub().GetBusinessSummary(&ctx3, req, &s).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_org_path(h_.Path("north"));
  grpc::ClientContext ctx4;
  client::Prepare(&ctx4, mgr_.token);
  EXPECT_EQ(h_.stub().GetBusinessSummary(&ctx4, req, &s).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_org_path(east);
  req.set_period("2026-13");
  grpc::ClientContext ctx5;
  client::Prepare(&ctx5, mgr_.token);
  EXPECT_EQ(h_.stub().GetBusinessSummary(&ctx5, req, &s).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OrdersReportsTest, RenewalListOrdersByTwoYearSignedTotal) {
  const int64_t k1 = h_.Account(a_.token, "苏州重点一集团", true);
  const int64_t k2 = h_.Account(a_.token, "苏州重点二集团", true);
  const int64_t k3 = h_.Account(b_.token, "无锡重点三集团", true);
  const int64_t smb = h_.Account(a_.token, "苏州小客户有限公司");
  const int64_t late = h_.Account(a_.token, "苏州晚到期集团", true);
  const int64_t done = h_.Account(a_.token, "苏州已续约集团", true);
  Signed(a_, k1, 1000, 100);
  Signed(a_, k1, 500, 400);  // k1: 1500 in two years, ends soonest day 100
  Signed(a_, k2, 3000, 150);
  Signed(b_, k3, 2000, 30);
  Signed(a_, smb, 9000, 60);
  Signed(a_, late, 9000, 200);  // beyond six months
  pb::Contract old = Signed(a_, done, 9000, 50);
  Signed(a_, done, 100, 500, old.id());  // renewed already

  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr_.token);
  pb::ListRenewalCandidatesRequest req;
  *req.mutable_as_of() = Ts(d1_ + 4);
  req.set_key_accounts_only(true);
  pb::ListRenewalCandidatesResponse resp;
  ASSERT_TRUE(h_.stub().ListRenewalCandidates(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.candidates_size(), 3);
  EXPECT_EQ(resp.candidates(0).account_id(), k2);
  EXPECT_EQ(resp.candidates(0).signed_last_2_years().amount_minor(), 3000);
  EXPECT_EQ(resp.candidates(1).account_id(), k3);
  EXPECT_EQ(resp.candidates(2).account_id(), k1);
  EXPECT_EQ(resp.candidates(2).signed_last_2_years().amount_minor(), 1500);
  EXPECT_EQ(resp.candidates(2).end_date(), Day(100));
  EXPECT_EQ(resp.candidates(0).customer_type(), pb::CUSTOMER_TYPE_KA);

  // All customers: the SMB one (9000) leads.
  req.set_key_accounts_only(false);
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, mgr_.token);
  ASSERT_TRUE(h_.stub().ListRenewalCandidates(&ctx2, req, &resp).ok());
  ASSERT_EQ(resp.candidates_size(), 4);
  EXPECT_EQ(resp.candidates(0).account_id(), smb);
  // A rep sees only their own.
  grpc::ClientContext ctx3;
  client::Prepare(&ctx3, b_.token);
  ASSERT_TRUE(h_.stub().ListRenewalCandidates(&ctx3, req, &resp).ok());
  ASSERT_EQ(resp.candidates_size(), 1);
  EXPECT_EQ(resp.candidates(0).account_id(), k3);
  req.set_page_size(1001);
  grpc::ClientContext ctx4;
  client::Prepare(&ctx4, b_.token);
  EXPECT_EQ(h_.stub().ListRenewalCandidates(&ctx4, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace crm::orders
