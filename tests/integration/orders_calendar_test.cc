// The business calendar (ADR 0035) through the API: a signing at 15:59 UTC
// on the last day of a month (23:59 in Beijing) counts in that month, on
// that day's and week's boards; one at 16:00 UTC (00:00 next day in
// Beijing) counts in the next. The same for targets' actuals, the
// dashboard, rebuilt boards, the default leaderboard period, payments
// without a received_date, and the overdue boundary day.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/orders/domain/periods.h"
#include "tests/testing/orders_harness.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;
using testing::OrdersHarness;

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

class OrdersCalendarTest : public ::testing::Test {
 protected:
  // The clock only moves forward: the test's month M is the next one; its
  // last day L ends at B = L+1 00:00 Beijing = L 16:00 UTC.
  OrdersCalendarTest()
      : cal_(h_.calendar()),
        month_(absl::CivilMonth(cal_.DayOf(h_.clock().Now())) + 1),
        last_(absl::CivilDay(month_ + 1) - 1),
        boundary_(cal_.StartOf(last_ + 1)) {}

  OrdersHarness::Login Rep() { return h_.User("rep.a", "e1", "sales_rep"); }

  std::string Key(PeriodKind kind, absl::CivilDay day) {
    return PeriodContaining(kind, day).key;
  }

  pb::Achievement Achieve(const std::string& token, int64_t user,
                          const std::string& period) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetAchievementRequest req;
    req.set_user_id(user);
    req.set_period(period);
    req.set_metric(pb::METRIC_SIGNED_AMOUNT);
    pb::Achievement out;
    grpc::Status s = h_.stub().GetAchievement(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << period << ": " << s.error_message();
    return out;
  }

  pb::Leaderboard Board(const std::string& token, pb::Metric metric,
                        pb::PeriodKind kind, const std::string& period = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetLeaderboardRequest req;
    req.set_metric(metric);
    req.set_period_kind(kind);
    req.set_period(period);
    pb::Leaderboard out;
    grpc::Status s = h_.stub().GetLeaderboard(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << period << ": " << s.error_message();
    return out;
  }

  int64_t MyScore(const std::string& token, pb::Metric metric,
                  pb::PeriodKind kind, const std::string& period) {
    return Board(token, metric, kind, period).me().score();
  }

  OrdersHarness h_;
  BusinessCalendar cal_;
  absl::CivilMonth month_;
  absl::CivilDay last_;
  absl::Time boundary_;
};

TEST_F(OrdersCalendarTest, SigningAtTheBeijingMidnightBoundary) {
  auto rep = Rep();
  const int64_t account = h_.Account(rep.token, "上海边界有限公司");
  const std::string d0 = FormatDate(absl::CivilDay(month_));
  // 23:59 Beijing on the month's last day (15:59 UTC).
  h_.clock().Set(boundary_ - absl::Minutes(1));
  rep = Rep();
  pb::Contract before = h_.SignedContract(
      rep.token, OrdersHarness::Draft(account, 1000, 1, d0, "2027-12-31"));
  ASSERT_EQ(before.status(), pb::CONTRACT_STATUS_SIGNED);
  // 00:00 Beijing the next day (16:00 UTC, still the same UTC day).
  h_.clock().Set(boundary_);
  rep = Rep();
  pb::Contract after = h_.SignedContract(
      rep.token, OrdersHarness::Draft(account, 300, 1, d0, "2027-12-31"));
  ASSERT_EQ(after.status(), pb::CONTRACT_STATUS_SIGNED);
  ASSERT_EQ(absl::ToCivilDay(boundary_ - absl::Minutes(1), absl::UTCTimeZone()),
            absl::ToCivilDay(boundary_, absl::UTCTimeZone()));

  // Achievement: month, quarter and year of each side.
  const std::string m = Key(PeriodKind::kMonth, last_);
  const std::string next_m = Key(PeriodKind::kMonth, last_ + 1);
  EXPECT_EQ(Achieve(rep.token, rep.user_id, m).actual(), 1000);
  EXPECT_EQ(Achieve(rep.token, rep.user_id, next_m).actual(), 300);
  const std::string q = Key(PeriodKind::kQuarter, last_);
  const std::string next_q = Key(PeriodKind::kQuarter, last_ + 1);
  if (q != next_q) {
    EXPECT_EQ(Achieve(rep.token, rep.user_id, q).actual(), 1000);
    EXPECT_EQ(Achieve(rep.token, rep.user_id, next_q).actual(), 300);
  }

  // The dashboard of the company for the month.
  const auto boss = h_.User("boss.top", "root", "boss");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, boss.token);
    pb::GetBusinessSummaryRequest req;
    req.set_org_path(h_.Path("root"));
    req.set_period(m);
    pb::BusinessSummary s;
    grpc::Status st = h_.stub().GetBusinessSummary(&ctx, req, &s);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(s.signed_().amount_minor(), 1000);
    EXPECT_EQ(s.contracts_signed(), 1);
  }

  // Live boards: day, week and month on each side of the boundary.
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "live" : "rebuilt");
    EXPECT_EQ(MyScore(rep.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_DAY,
                      FormatDate(last_)),
              1000);
    EXPECT_EQ(MyScore(rep.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_DAY,
                      FormatDate(last_ + 1)),
              300);
    EXPECT_EQ(
        MyScore(rep.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, m),
        1000);
    EXPECT_EQ(MyScore(rep.token, pb::METRIC_SIGNED_AMOUNT,
                      pb::PERIOD_KIND_MONTH, next_m),
              300);
    const std::string w = Key(PeriodKind::kWeek, last_);
    const std::string next_w = Key(PeriodKind::kWeek, last_ + 1);
    if (w != next_w) {
      EXPECT_EQ(
          MyScore(rep.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_WEEK, w),
          1000);
      EXPECT_EQ(MyScore(rep.token, pb::METRIC_SIGNED_AMOUNT,
                        pb::PERIOD_KIND_WEEK, next_w),
                300);
    }
    // The default period is the one containing now in Beijing: the new
    // month, whose previous month had the rep first.
    pb::Leaderboard now_board =
        Board(rep.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH);
    EXPECT_EQ(now_board.period(), next_m);
    EXPECT_EQ(now_board.me().score(), 300);
    EXPECT_EQ(now_board.me().rank_change(), 0);
    EXPECT_FALSE(now_board.me().is_new());
    if (pass == 1) break;
    // Rebuild (as of now: this and the previous day / week / month) from
    // MySQL gives the same boards.
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::RebuildLeaderboardsRequest req;
    *req.mutable_as_of() = Ts(boundary_);
    pb::RebuildLeaderboardsResponse resp;
    grpc::Status s = h_.stub().RebuildLeaderboards(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_GT(resp.boards(), 0);
  }
}

TEST_F(OrdersCalendarTest, PaymentWithoutDateIsOnTheBeijingDay) {
  auto rep = Rep();
  const int64_t account = h_.Account(rep.token, "上海回款边界有限公司");
  h_.clock().Set(boundary_ - absl::Hours(1));
  rep = Rep();
  pb::Contract c = h_.SignedContract(
      rep.token,
      OrdersHarness::Draft(account, 1000, 1, FormatDate(absl::CivilDay(month_)),
                           "2027-12-31"));
  // 23:30 Beijing on the last day: March-31-style, still this month.
  h_.clock().Set(boundary_ - absl::Minutes(30));
  pb::Payment p1;
  grpc::Status s = h_.Pay(h_.Finance(), c.id(), 400, "", "CAL-1", &p1);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p1.received_date(), FormatDate(last_));
  // 00:10 Beijing: the next day and month.
  h_.clock().Set(boundary_ + absl::Minutes(10));
  pb::Payment p2;
  s = h_.Pay(h_.Finance(), c.id(), 100, "", "CAL-2", &p2);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p2.received_date(), FormatDate(last_ + 1));
  rep = Rep();
  EXPECT_EQ(MyScore(rep.token, pb::METRIC_RECEIVED_AMOUNT,
                    pb::PERIOD_KIND_MONTH, Key(PeriodKind::kMonth, last_)),
            400);
  EXPECT_EQ(MyScore(rep.token, pb::METRIC_RECEIVED_AMOUNT, pb::PERIOD_KIND_DAY,
                    FormatDate(last_ + 1)),
            100);
}

TEST_F(OrdersCalendarTest, OverdueTurnsAtBeijingMidnight) {
  auto rep = Rep();
  const int64_t account = h_.Account(rep.token, "上海逾期边界有限公司");
  // Due on the month's last day.
  pb::Contract c = h_.SignedContract(
      rep.token,
      OrdersHarness::Draft(account, 700, 1, FormatDate(last_), "2027-12-31"));
  auto run = [&](absl::Time as_of) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::RunOverdueCheckRequest req;
    *req.mutable_as_of() = Ts(as_of);
    pb::RunOverdueCheckResponse resp;
    grpc::Status s = h_.stub().RunOverdueCheck(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.newly_overdue();
  };
  auto summary_overdue = [&](absl::Time as_of) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.User("boss.top", "root", "boss").token);
    pb::GetBusinessSummaryRequest req;
    req.set_org_path(h_.Path("root"));
    req.set_period(Key(PeriodKind::kMonth, last_));
    *req.mutable_as_of() = Ts(as_of);
    pb::BusinessSummary s;
    EXPECT_TRUE(h_.stub().GetBusinessSummary(&ctx, req, &s).ok());
    return s.overdue_installments();
  };
  // 15:59:59 UTC on the due day = 23:59:59 Beijing: not yet overdue.
  EXPECT_EQ(summary_overdue(boundary_ - absl::Seconds(1)), 0);
  EXPECT_EQ(run(boundary_ - absl::Seconds(1)), 0);
  // 16:00 UTC, the same UTC day = 00:00 Beijing the next day: overdue.
  EXPECT_EQ(summary_overdue(boundary_), 1);
  EXPECT_EQ(run(boundary_), 1);
  EXPECT_EQ(run(boundary_ + absl::Hours(1)), 0);  // once

  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::ListPendingCollectionsRequest req;
  *req.mutable_as_of() = Ts(boundary_ + absl::Minutes(5));
  pb::ListPendingCollectionsResponse resp;
  ASSERT_TRUE(h_.stub().ListPendingCollections(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.items_size(), 1);
  EXPECT_EQ(resp.items(0).contract_id(), c.id());
  EXPECT_EQ(resp.items(0).days_overdue(), 1);
}

}  // namespace
}  // namespace crm::orders
