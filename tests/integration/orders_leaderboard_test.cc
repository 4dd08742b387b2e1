// Leaderboards against real MariaDB/Redis: live updates on signing and
// payment, top N + my rank + rank change, child-unit boards, bad input, a
// failed live update repaired by the leaderboard job (ADR 0098),
// and a rebuild from MySQL that equals the live boards after 10,000 random
// signings, payments and refunds (about 20 s).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/orders/domain/leaderboard_keys.h"
#include "services/orders/domain/periods.h"
#include "services/orders/leaderboards.h"
#include "services/orders/orders_leaderboard_job.h"
#include "tests/testing/orders_harness.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;
using testing::OrdersHarness;

class OrdersLeaderboardTest : public ::testing::Test {
 protected:
  // The harness clock starts at the real now and may only move forward
  // (identity refuses logins from the past), so the test's months are the
  // two after the current one.
  OrdersLeaderboardTest()
      : month1_(absl::CivilMonth(h_.calendar().DayOf(h_.clock().Now())) + 1),
        month2_(month1_ + 1) {}

  void SetDay(absl::CivilDay day, int hour = 9) {
    h_.clock().Set(absl::FromCivil(
        absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0),
        absl::UTCTimeZone()));
  }
  static std::string MonthKey(absl::CivilMonth m) {
    return PeriodContaining(PeriodKind::kMonth, absl::CivilDay(m)).key;
  }

  // An APPROVED contract of `owner` inserted directly (the approval flow
  // is covered elsewhere), with one installment of the whole amount.
  int64_t Approved(const OrdersHarness::Login& owner, const std::string& path,
                   int64_t amount) {
    auto conn = h_.schema().Pool()->Borrow();
    EXPECT_TRUE(conn.ok());
    EXPECT_TRUE((*conn)
                    ->Exec("INSERT INTO contracts (account_id, customer_type, "
                           "owner_id, owner_org_path, title, amount_minor, "
                           "currency, start_date, end_date, contract_type, "
                           "status, created_by, created_at, updated_at) "
                           "VALUES (1, 1, ?, ?, 't', ?, 'CNY', '2026-01-01', "
                           "'2026-12-31', 1, 3, ?, NOW(), NOW())",
                           {owner.user_id, path, amount, owner.user_id})
                    .ok());
    int64_t id = *(*conn)->LastInsertId();
    EXPECT_TRUE((*conn)
                    ->Exec("INSERT INTO installments (contract_id, seq, "
                           "due_date, amount_minor) VALUES (?, 0, "
                           "'2026-12-01', ?)",
                           {id, amount})
                    .ok());
    return id;
  }

  pb::Leaderboard Board(const std::string& token, pb::Metric metric,
                        pb::PeriodKind kind, const std::string& period = "",
                        const std::string& parent = "", int top_n = 0,
                        grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetLeaderboardRequest req;
    req.set_metric(metric);
    req.set_period_kind(kind);
    req.set_period(period);
    req.set_parent_org_path(parent);
    req.set_top_n(top_n);
    pb::Leaderboard out;
    grpc::Status s = h_.stub().GetLeaderboard(&ctx, req, &out);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  void Rebuild(const std::string& period) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::RebuildLeaderboardsRequest req;
    req.set_period(period);
    pb::RebuildLeaderboardsResponse resp;
    grpc::Status s = h_.stub().RebuildLeaderboards(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  OrdersHarness h_;
  absl::CivilMonth month1_, month2_;
};

TEST_F(OrdersLeaderboardTest, TopNMyRankAndRankChange) {
  auto a = h_.User("rep.a", "e1", "sales_rep");
  auto b = h_.User("rep.b", "e2", "sales_rep");
  auto c = h_.User("rep.c", "n1", "sales_rep");
  const std::string e1 = h_.Path("e1"), e2 = h_.Path("e2"), n1 = h_.Path("n1");
  // Month 1: a > b; month 2: b > c > a.
  SetDay(absl::CivilDay(month1_) + 4);
  a = h_.User("rep.a", "e1", "sales_rep");
  b = h_.User("rep.b", "e2", "sales_rep");
  ASSERT_TRUE(h_.Sign(a.token, Approved(a, e1, 900)).ok());
  ASSERT_TRUE(h_.Sign(b.token, Approved(b, e2, 500)).ok());
  SetDay(absl::CivilDay(month2_) + 9);
  a = h_.User("rep.a", "e1", "sales_rep");
  b = h_.User("rep.b", "e2", "sales_rep");
  c = h_.User("rep.c", "n1", "sales_rep");
  ASSERT_TRUE(h_.Sign(a.token, Approved(a, e1, 100)).ok());
  ASSERT_TRUE(h_.Sign(b.token, Approved(b, e2, 700)).ok());
  ASSERT_TRUE(h_.Sign(c.token, Approved(c, n1, 300)).ok());

  pb::Leaderboard board =
      Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH);
  EXPECT_EQ(board.period(), MonthKey(month2_));
  ASSERT_EQ(board.entries_size(), 3);
  EXPECT_EQ(board.entries(0).member(), absl::StrCat(b.user_id));
  EXPECT_EQ(board.entries(0).score(), 700);
  EXPECT_EQ(board.entries(0).rank(), 1);
  EXPECT_EQ(board.entries(0).rank_change(), 1);  // 2nd in October
  EXPECT_EQ(board.entries(1).member(), absl::StrCat(c.user_id));
  EXPECT_TRUE(board.entries(1).is_new());
  EXPECT_EQ(board.entries(2).rank_change(), -2);  // a fell from 1st
  EXPECT_EQ(board.me().member(), absl::StrCat(a.user_id));
  EXPECT_EQ(board.me().rank(), 3);
  EXPECT_EQ(board.me().score(), 100);
  EXPECT_EQ(board.me().rank_change(), -2);

  // Top 1 still gives my rank.
  board = Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, "",
                "", 1);
  EXPECT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.me().rank(), 3);

  // Regions of the company, teams of east.
  board = Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, "",
                h_.Path("root"));
  ASSERT_EQ(board.entries_size(), 2);
  EXPECT_EQ(board.entries(0).member(),
            absl::StrCat(h_.accounts().Unit("east")));
  EXPECT_EQ(board.entries(0).score(), 800);
  EXPECT_EQ(board.entries(1).score(), 300);
  board = Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, "",
                h_.Path("east"));
  ASSERT_EQ(board.entries_size(), 2);
  EXPECT_EQ(board.entries(0).member(), absl::StrCat(h_.accounts().Unit("e2")));
  EXPECT_EQ(board.me().rank(), 0);  // unit boards have no "me"

  // The individuals of one region / team, with me and rank changes
  // (month 1 in east: a 900 > b 500; month 2: b 700 > a 100).
  auto individuals = [&](const std::string& token, const std::string& unit) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetLeaderboardRequest req;
    req.set_metric(pb::METRIC_SIGNED_AMOUNT);
    req.set_period_kind(pb::PERIOD_KIND_MONTH);
    req.set_parent_org_path(unit);
    req.set_individuals(true);
    pb::Leaderboard out;
    grpc::Status s = h_.stub().GetLeaderboard(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  board = individuals(a.token, h_.Path("east"));
  ASSERT_EQ(board.entries_size(), 2);
  EXPECT_EQ(board.entries(0).member(), absl::StrCat(b.user_id));
  EXPECT_EQ(board.entries(0).rank_change(), 1);
  EXPECT_EQ(board.entries(1).member(), absl::StrCat(a.user_id));
  EXPECT_EQ(board.me().rank(), 2);
  EXPECT_EQ(board.me().score(), 100);
  EXPECT_EQ(board.me().rank_change(), -1);
  board = individuals(a.token, e1);
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.me().rank(), 1);
  board = individuals(a.token, n1);
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).member(), absl::StrCat(c.user_id));
  EXPECT_EQ(board.me().rank(), 0);  // a is not in north
  // The root's individuals are the company board.
  board = individuals(a.token, h_.Path("root"));
  EXPECT_EQ(board.entries_size(), 3);
  EXPECT_EQ(board.me().rank(), 3);

  // Day and week boards; month 1's board kept its order.
  EXPECT_EQ(Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_DAY)
                .entries_size(),
            3);
  const std::string week =
      PeriodContaining(PeriodKind::kWeek, absl::CivilDay(month2_) + 9).key;
  EXPECT_EQ(Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_WEEK, week)
                .entries_size(),
            3);
  board = Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH,
                MonthKey(month1_));
  ASSERT_EQ(board.entries_size(), 2);
  EXPECT_EQ(board.entries(0).member(), absl::StrCat(a.user_id));

  // Payments feed the received board, refunds take away.
  const std::string fin = h_.Finance();
  const int64_t paid = Approved(c, n1, 1000);
  ASSERT_TRUE(h_.Sign(c.token, paid).ok());
  const std::string day = FormatDate(absl::CivilDay(month2_) + 8);
  ASSERT_TRUE(h_.Pay(fin, paid, 600, day, "LB-1").ok());
  ASSERT_TRUE(h_.Pay(fin, paid, -100, day, "LB-2", nullptr, "refund").ok());
  board = Board(c.token, pb::METRIC_RECEIVED_AMOUNT, pb::PERIOD_KIND_MONTH);
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).score(), 500);
  EXPECT_EQ(board.me().rank(), 1);
}

TEST_F(OrdersLeaderboardTest, AFailedBumpIsRebuiltByTheJob) {
  SetDay(absl::CivilDay(month1_) + 4);
  auto a = h_.User("rep.a", "e1", "sales_rep");
  const std::string e1 = h_.Path("e1");
  auto pending = [&]() -> int64_t {
    auto conn = h_.schema().Pool()->Borrow();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Query("SELECT COUNT(*) AS n FROM leaderboard_pending");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->front().Int("n") : -1;
  };
  auto my_score = [&] {
    return Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH,
                 MonthKey(month1_))
        .me()
        .score();
  };
  ASSERT_TRUE(h_.Sign(a.token, Approved(a, e1, 900)).ok());
  EXPECT_EQ(pending(), 0);  // the bump applied and cleared its mark
  EXPECT_EQ(my_score(), 900);

  // The month's user board turns into a string: the next bump's month EVAL
  // fails (WRONGTYPE) while Redis stays up, as when Redis is briefly away.
  const Period month =
      PeriodContaining(PeriodKind::kMonth, absl::CivilDay(month1_));
  ASSERT_TRUE(h_.redis()
                  ->Command({"SET",
                             h_.redis()->Key(UserBoardKey(
                                 BoardTag(BoardMetric::kSigned, month))),
                             "not a board"})
                  .ok());
  ASSERT_TRUE(h_.Sign(a.token, Approved(a, e1, 100)).ok());  // it stands
  EXPECT_EQ(pending(), 1);

  LeaderboardJobOptions jo;
  jo.calendar = h_.calendar();
  auto clock = std::make_shared<ManualClock>(h_.clock().Now());
  LeaderboardJob job(h_.schema().Pool(), h_.redis(), clock, jo);
  // Within the grace the bump may still be on its way: left alone.
  ASSERT_TRUE(job.RunOnce().ok());
  EXPECT_EQ(pending(), 1);
  clock->Advance(jo.pending_grace + absl::Seconds(1));
  absl::StatusOr<std::optional<int64_t>> ran = job.RunOnce();
  ASSERT_TRUE(ran.ok()) << ran.status();
  ASSERT_TRUE(ran->has_value());
  EXPECT_EQ(**ran, 3);  // that day, its week and its month
  EXPECT_EQ(pending(), 0);
  EXPECT_EQ(my_score(), 1000);  // rebuilt from MySQL: both signings
  // Nothing pending: the next round rebuilds nothing.
  ran = job.RunOnce();
  ASSERT_TRUE(ran.ok() && ran->has_value());
  EXPECT_EQ(**ran, 0);
}

TEST_F(OrdersLeaderboardTest, BadInput) {
  auto a = h_.User("rep.a", "e1", "sales_rep");
  grpc::Status s;
  Board(a.token, pb::METRIC_NEW_CUSTOMERS, pb::PERIOD_KIND_MONTH, "", "", 0,
        &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("metric"));
  Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_YEAR, "", "", 0, &s);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("period_kind"));
  Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, "2026-W01",
        "", 0, &s);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("period"));
  Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, "", "", 201,
        &s);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("top_n"));
  for (const char* bad : {"x", "/", "/1//", "/1/a/", "1/4/"}) {
    Board(a.token, pb::METRIC_SIGNED_AMOUNT, pb::PERIOD_KIND_MONTH, "", bad, 0,
          &s);
    EXPECT_THAT(s.error_message(), ::testing::HasSubstr("parent_org_path"))
        << bad;
  }
  grpc::ClientContext ctx;
  client::Prepare(&ctx, a.token);
  pb::RebuildLeaderboardsRequest req;
  pb::RebuildLeaderboardsResponse resp;
  EXPECT_EQ(h_.stub().RebuildLeaderboards(&ctx, req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(OrdersLeaderboardTest, RebuildEqualsLiveAfterRandomTraffic) {
  constexpr int kOps = 10000;
  std::mt19937_64 rng(20261125);
  struct Rep {
    std::string name, unit;
  };
  std::vector<Rep> reps;
  for (const char* unit : {"e1", "e2", "n1", "east", "north"})
    for (int i = 0; i < 4; ++i)
      reps.push_back({absl::StrCat("rep.", unit, ".", i), unit});
  std::map<std::string, std::string> paths;
  for (const Rep& r : reps) paths[r.unit] = h_.Path(r.unit);

  // Operations spread over 31 days from the day after tomorrow, one day
  // at a time (the clock only moves forward).
  const absl::CivilDay first = h_.calendar().DayOf(h_.clock().Now()) + 2;
  std::vector<std::vector<int>> by_day(31);
  for (int i = 0; i < kOps; ++i) by_day[rng() % 31].push_back(i);
  struct Open {
    int64_t id;
    int64_t outstanding;
  };
  std::vector<Open> open;
  int64_t signings = 0, payments = 0, skipped = 0;
  for (int d = 0; d < 31; ++d) {
    const absl::CivilDay day = first + d;
    h_.clock().Set(absl::FromCivil(
        absl::CivilSecond(day.year(), day.month(), day.day(), 10, 0, 0),
        absl::UTCTimeZone()));
    const std::string fin = h_.Finance();
    std::map<std::string, OrdersHarness::Login> logins;
    for (size_t k = 0; k < by_day[d].size(); ++k) {
      const bool sign = open.empty() || rng() % 5 < 2;
      if (sign) {
        const Rep& r = reps[rng() % reps.size()];
        if (!logins.count(r.name))
          logins[r.name] = h_.User(r.name, r.unit, "sales_rep");
        const int64_t amount = 1000 + static_cast<int64_t>(rng() % 900000);
        const int64_t id = Approved(logins[r.name], paths[r.unit], amount);
        grpc::Status s = h_.Sign(logins[r.name].token, id);
        ASSERT_TRUE(s.ok()) << s.error_message();
        open.push_back({id, amount});
        ++signings;
      } else {
        Open& o = open[rng() % open.size()];
        const bool refund = o.outstanding < 10 || rng() % 10 == 0;
        int64_t amount = 0;
        std::string reason;
        if (refund) {
          // Bounded by what that contract received (amount - outstanding).
          ASSERT_TRUE(h_.QueryInt(absl::StrCat("SELECT received_minor AS c "
                                               "FROM contracts WHERE id = ",
                                               o.id)) >= 0);
          const int64_t received = h_.QueryInt(absl::StrCat(
              "SELECT received_minor AS c FROM contracts WHERE id = ", o.id));
          if (received == 0) {
            ++skipped;  // nothing to refund on this one
            continue;
          }
          amount = -(1 + static_cast<int64_t>(rng() % received));
          reason = "customer refund";
        } else {
          amount = 1 + static_cast<int64_t>(rng() % o.outstanding);
        }
        // Received on the day itself or up to 3 days before.
        const absl::CivilDay on = day - static_cast<int>(rng() % 4);
        grpc::Status s =
            h_.Pay(fin, o.id, amount, FormatDate(on),
                   absl::StrCat("REF-", d, "-", k), nullptr, reason);
        ASSERT_TRUE(s.ok()) << s.error_message();
        o.outstanding -= amount;
        ++payments;
      }
    }
  }
  EXPECT_EQ(signings + payments + skipped, kOps);
  EXPECT_GE(signings + payments, kOps * 9 / 10);

  // Every day, week and month touched: live == rebuilt.
  std::map<std::string, Period> unique;
  for (int d = -3; d < 31; ++d) {
    for (PeriodKind k : BoardPeriodKinds()) {
      Period p = PeriodContaining(k, first + d);
      unique[p.key] = p;
    }
  }
  std::vector<Period> periods;
  for (const auto& [key, p] : unique) periods.push_back(p);
  Leaderboards boards(h_.redis());
  int compared = 0;
  for (const Period& p : periods) {
    auto live_signed = boards.Dump(BoardMetric::kSigned, p);
    auto live_received = boards.Dump(BoardMetric::kReceived, p);
    ASSERT_TRUE(live_signed.ok() && live_received.ok());
    // Scramble the live boards first, so the rebuild has to repair them.
    if (!live_signed->empty()) {
      ASSERT_TRUE(
          h_.redis()
              ->Command({"ZINCRBY", live_signed->begin()->first, "5", "bogus"})
              .ok());
    }
    Rebuild(p.key);
    auto rebuilt_signed = boards.Dump(BoardMetric::kSigned, p);
    auto rebuilt_received = boards.Dump(BoardMetric::kReceived, p);
    ASSERT_TRUE(rebuilt_signed.ok() && rebuilt_received.ok());
    EXPECT_EQ(*rebuilt_signed, *live_signed) << p.key;
    EXPECT_EQ(*rebuilt_received, *live_received) << p.key;
    compared += static_cast<int>(live_signed->size() + live_received->size());
  }
  EXPECT_GT(compared, 100);
}

}  // namespace
}  // namespace crm::orders
