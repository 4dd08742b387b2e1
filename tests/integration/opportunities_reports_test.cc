// GetFunnel, GetForecast and GetAccountsByStage over a small hand-built
// history, checked against numbers computed by hand (comments), for the
// whole company, one team and one rep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/client/client.h"
#include "services/opportunities/opportunities_util.h"
#include "services/opportunities/store/pipeline_store.h"
#include "services/opportunities/store/report_store.h"
#include "tests/testing/opportunities_harness.h"

namespace crm::opportunities {
namespace {

namespace pb = crm::opportunities::v1;
using testing::OpportunitiesHarness;

// Pipeline 1 (SMB standard): qualify 10%, needs 30%, proposal 60%,
// negotiation 80%, won, lost. All five opportunities are created at t0:
// (close dates in days after t0):
//   A rep1 acct X 100,000 close +20  stays in qualify
//   B rep1 acct X 200,000 close +25  needs at t0+24h
//   C rep1 acct Y 300,000 close +30  proposal t0+48h, negotiation t0+96h
//   D rep3 acct Z 400,000 close +30  won at t0+72h from qualify
//   E rep3 acct Z  50,000 close +15  lost at t0+24h from qualify
class OpportunitiesReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t0_ = h_.clock().Now();
    auto rep1 = h_.User("rep1", "e1", "sales_rep");
    auto rep3 = h_.User("rep3", "e2", "sales_rep");
    rep1_ = rep1.user_id;
    rep3_ = rep3.user_id;
    x_ = h_.Account(rep1.token, "客户X有限公司");
    y_ = h_.Account(rep1.token, "客户Y有限公司");
    z_ = h_.Account(rep3.token, "客户Z有限公司");
    a_ = Create(rep1.token, x_, 100000, Day(20));
    b_ = Create(rep1.token, x_, 200000, Day(25));
    c_ = Create(rep1.token, y_, 300000, Day(30));
    d_ = Create(rep3.token, z_, 400000, Day(30));
    e_ = Create(rep3.token, z_, 50000, Day(15));
    At(24);
    ASSERT_TRUE(h_.Move(Rep1(), b_, "needs").ok());
    ASSERT_TRUE(h_.Lost(Rep3(), e_, "price").ok());
    At(48);
    ASSERT_TRUE(h_.Move(Rep1(), c_, "proposal").ok());
    At(72);
    ASSERT_TRUE(h_.Won(Rep3(), d_, "HT-D").ok());
    At(96);
    ASSERT_TRUE(h_.Move(Rep1(), c_, "negotiation").ok());
  }

  int64_t Create(const std::string& token, int64_t account, int64_t amount,
                 const std::string& close) {
    int64_t id = h_.CreateOk(token, account, "机会", amount);
    pb::Opportunity in;
    in.set_id(id);
    in.set_expected_close_date(close);
    in.mutable_budget()->set_currency_code("CNY");
    in.mutable_budget()->set_amount_minor(amount);
    in.set_decision_maker("决策人");
    EXPECT_TRUE(h_.Update(token, in,
                          {"expected_close_date", "budget", "decision_maker"})
                    .ok());
    return id;
  }
  // The date `days` after t0, YYYY-MM-DD.
  std::string Day(int days) {
    return absl::FormatCivilTime(absl::ToCivilDay(t0_, absl::UTCTimeZone()) +
                                 days);
  }
  void At(int hours) { h_.clock().Set(t0_ + absl::Hours(hours)); }
  std::string Rep1() { return h_.User("rep1", "e1", "sales_rep").token; }
  std::string Rep3() { return h_.User("rep3", "e2", "sales_rep").token; }
  std::string Boss() { return h_.User("boss", "root", "boss").token; }

  pb::GetFunnelResponse Funnel(const std::string& token, int64_t unit = 0) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetFunnelRequest req;
    req.set_pipeline_id(1);
    req.set_org_unit_id(unit);
    ToTimestamp(t0_ - absl::Hours(1), req.mutable_create_from());
    ToTimestamp(t0_ + absl::Hours(240), req.mutable_create_to());
    pb::GetFunnelResponse out;
    grpc::Status s = h_.stub().GetFunnel(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  OpportunitiesHarness h_;
  absl::Time t0_;
  int64_t rep1_ = 0, rep3_ = 0, x_ = 0, y_ = 0, z_ = 0;
  int64_t a_ = 0, b_ = 0, c_ = 0, d_ = 0, e_ = 0;
};

TEST_F(OpportunitiesReportsTest, CompanyFunnel) {
  pb::GetFunnelResponse f = Funnel(Boss());
  ASSERT_EQ(f.stages_size(), 6);
  EXPECT_EQ(f.total_count(), 5);
  // reached: qualify 5; needs B,C,D = 3; proposal C,D = 2; negotiation
  // C,D = 2; won D = 1; lost E = 1.
  std::vector<int64_t> reached, current, amount;
  std::vector<int> conv;
  for (const auto& s : f.stages()) {
    reached.push_back(s.reached_count());
    current.push_back(s.current_count());
    amount.push_back(s.current_amount_minor());
    conv.push_back(s.conversion_to_next_bp());
  }
  EXPECT_THAT(reached, ::testing::ElementsAre(5, 3, 2, 2, 1, 1));
  EXPECT_THAT(current, ::testing::ElementsAre(1, 1, 0, 1, 1, 1));
  EXPECT_THAT(amount,
              ::testing::ElementsAre(100000, 200000, 0, 300000, 400000, 50000));
  // 3/5, 2/3, 2/2, 1/2.
  EXPECT_THAT(conv, ::testing::ElementsAre(6000, 6667, 10000, 5000, 0, 0));
  EXPECT_EQ(f.win_rate_bp(), 2000);
  // Stays in qualify: B 24h, E 24h, C 48h, D 72h -> median 36h = 1.5 d.
  EXPECT_DOUBLE_EQ(f.stages(0).median_days_in_stage(), 1.5);
  EXPECT_EQ(f.stages(0).completed_stays(), 4);
  EXPECT_EQ(f.stages(1).completed_stays(), 0);  // B is still in needs
  EXPECT_DOUBLE_EQ(f.stages(2).median_days_in_stage(), 2.0);  // C: 48h
}

TEST_F(OpportunitiesReportsTest, TeamAndRepFunnels) {
  // Team e1 = rep1: A, B, C. reached 3, 2, 1, 1, 0.
  pb::GetFunnelResponse team = Funnel(Boss(), h_.Unit("e1"));
  EXPECT_EQ(team.total_count(), 3);
  EXPECT_EQ(team.stages(0).reached_count(), 3);
  EXPECT_EQ(team.stages(1).reached_count(), 2);
  EXPECT_EQ(team.stages(0).conversion_to_next_bp(), 6667);
  EXPECT_EQ(team.stages(1).conversion_to_next_bp(), 5000);
  EXPECT_EQ(team.stages(3).conversion_to_next_bp(), 0);
  EXPECT_EQ(team.win_rate_bp(), 0);
  EXPECT_DOUBLE_EQ(team.stages(0).median_days_in_stage(), 1.5);  // 24, 48
  // rep3 sees only D and E, whatever unit is asked for.
  pb::GetFunnelResponse mine = Funnel(Rep3());
  EXPECT_EQ(mine.total_count(), 2);
  EXPECT_EQ(mine.win_rate_bp(), 5000);
  EXPECT_EQ(mine.stages(0).completed_stays(), 2);
  // A manager of e2 may not ask about e1.
  auto mgr = h_.User("mgr_e2", "e2", "sales_manager");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr.token);
  pb::GetFunnelRequest req;
  req.set_pipeline_id(1);
  req.set_org_unit_id(h_.Unit("e1"));
  ToTimestamp(t0_, req.mutable_create_from());
  ToTimestamp(t0_ + absl::Hours(1), req.mutable_create_to());
  pb::GetFunnelResponse out;
  EXPECT_EQ(h_.stub().GetFunnel(&ctx, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(OpportunitiesReportsTest, FunnelBadInput) {
  auto call = [&](std::function<void(pb::GetFunnelRequest&)> edit) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, Boss());
    pb::GetFunnelRequest req;
    req.set_pipeline_id(1);
    ToTimestamp(t0_, req.mutable_create_from());
    ToTimestamp(t0_ + absl::Hours(1), req.mutable_create_to());
    edit(req);
    pb::GetFunnelResponse out;
    return h_.stub().GetFunnel(&ctx, req, &out);
  };
  EXPECT_EQ(call([](auto& r) { r.set_pipeline_id(0); }).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call([](auto& r) { r.set_pipeline_id(99); }).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(call([](auto& r) { r.clear_create_from(); }).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call([&](auto& r) {
              ToTimestamp(t0_ - absl::Hours(1), r.mutable_create_to());
            }).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      call([](auto& r) { r.mutable_create_to()->set_nanos(-1); }).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OpportunitiesReportsTest, ForecastByOwnerAndTeam) {
  auto forecast = [&](pb::ForecastGroup g, int threshold = 0) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, Boss());
    pb::GetForecastRequest req;
    req.set_close_date_from(Day(0));
    req.set_close_date_to(Day(60));
    req.set_group_by(g);
    req.set_commit_threshold_bp(threshold);
    pb::GetForecastResponse out;
    grpc::Status s = h_.stub().GetForecast(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  pb::GetForecastResponse by_owner = forecast(pb::FORECAST_GROUP_OWNER);
  EXPECT_EQ(by_owner.commit_threshold_bp(), 7000);
  ASSERT_EQ(by_owner.rows_size(), 2);
  const auto& r1 = by_owner.rows(0).key() == std::to_string(rep1_)
                       ? by_owner.rows(0)
                       : by_owner.rows(1);
  const auto& r3 =
      &r1 == &by_owner.rows(0) ? by_owner.rows(1) : by_owner.rows(0);
  // rep1: A 100,000 x 10% + B 200,000 x 30% + C 300,000 x 80% = 310,000;
  // commit (>= 70%) C = 300,000; best case 600,000.
  EXPECT_EQ(r1.currency_code(), "CNY");
  EXPECT_EQ(r1.open_count(), 3);
  EXPECT_EQ(r1.weighted_minor(), 310000);
  EXPECT_EQ(r1.commit_minor(), 300000);
  EXPECT_EQ(r1.best_case_minor(), 600000);
  EXPECT_EQ(r1.won_minor(), 0);
  // rep3: nothing open, D won 400,000.
  EXPECT_EQ(r3.key(), std::to_string(rep3_));
  EXPECT_EQ(r3.open_count(), 0);
  EXPECT_EQ(r3.won_minor(), 400000);
  EXPECT_EQ(r3.won_count(), 1);
  // Threshold 30%: commit = B + C.
  EXPECT_EQ(forecast(pb::FORECAST_GROUP_OWNER, 3000).rows(0).commit_minor() +
                forecast(pb::FORECAST_GROUP_OWNER, 3000).rows(1).commit_minor(),
            500000);
  pb::GetForecastResponse by_team = forecast(pb::FORECAST_GROUP_TEAM);
  ASSERT_EQ(by_team.rows_size(), 2);
  for (const auto& r : by_team.rows()) {
    if (r.key() == std::to_string(h_.Unit("e1")))
      EXPECT_EQ(r.weighted_minor(), 310000);
    else
      EXPECT_EQ(r.key(), std::to_string(h_.Unit("e2")));
  }
  pb::GetForecastResponse by_region = forecast(pb::FORECAST_GROUP_REGION);
  ASSERT_EQ(by_region.rows_size(), 1);
  EXPECT_EQ(by_region.rows(0).key(), std::to_string(h_.Unit("east")));
  EXPECT_EQ(by_region.rows(0).best_case_minor(), 600000);
  EXPECT_EQ(by_region.rows(0).won_minor(), 400000);
  pb::GetForecastResponse by_month = forecast(pb::FORECAST_GROUP_MONTH);
  // D was won in the month of t0+72h; the open ones spread over the
  // months of their close dates.
  const std::string won_month =
      absl::FormatTime("%Y-%m", t0_ + absl::Hours(72), absl::UTCTimeZone());
  int64_t weighted = 0, won = 0;
  for (const auto& r : by_month.rows()) {
    weighted += r.weighted_minor();
    if (r.key() == won_month) won = r.won_minor();
  }
  EXPECT_EQ(weighted, 310000);
  EXPECT_EQ(won, 400000);
  // Bad input.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Boss());
  pb::GetForecastRequest bad;
  bad.set_close_date_from("2030-12-31");
  bad.set_close_date_to("2030-12-01");
  pb::GetForecastResponse out;
  EXPECT_EQ(h_.stub().GetForecast(&ctx, bad, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, Boss());
  bad.set_close_date_from("");
  EXPECT_EQ(h_.stub().GetForecast(&ctx2, bad, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OpportunitiesReportsTest, AccountsByMostAdvancedOpenStage) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Boss());
  pb::GetAccountsByStageRequest req;
  req.set_pipeline_id(1);
  pb::GetAccountsByStageResponse out;
  ASSERT_TRUE(h_.stub().GetAccountsByStage(&ctx, req, &out).ok());
  ASSERT_EQ(out.stages_size(), 4);  // open stages only
  // X: A (qualify) and B (needs) -> needs. Y: C -> negotiation. Z: none
  // open.
  EXPECT_EQ(out.stages(0).account_count(), 0);
  EXPECT_EQ(out.stages(1).stage(), "needs");
  EXPECT_EQ(out.stages(1).account_count(), 1);
  EXPECT_THAT(out.stages(1).account_ids(), ::testing::ElementsAre(x_));
  EXPECT_EQ(out.stages(2).account_count(), 0);
  EXPECT_THAT(out.stages(3).account_ids(), ::testing::ElementsAre(y_));
  // rep3 has no open opportunity.
  grpc::ClientContext c3;
  client::Prepare(&c3, Rep3());
  pb::GetAccountsByStageResponse mine;
  ASSERT_TRUE(h_.stub().GetAccountsByStage(&c3, req, &mine).ok());
  for (const auto& s : mine.stages()) EXPECT_EQ(s.account_count(), 0);
  grpc::ClientContext c4;
  client::Prepare(&c4, Boss());
  req.set_accounts_per_stage(201);
  EXPECT_EQ(h_.stub().GetAccountsByStage(&c4, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The daily rollups (kept by every write) give the same funnel as the live
// tables, for windows of whole days, partial days and both.
TEST_F(OpportunitiesReportsTest, RollupsMatchLiveTables) {
  // More changes that move rollup cells: an amount change, a reopen, a
  // reassignment to another team.
  At(100);
  pb::Opportunity in;
  in.set_id(a_);
  in.mutable_amount()->set_currency_code("CNY");
  in.mutable_amount()->set_amount_minor(123456);
  ASSERT_TRUE(h_.Update(Rep1(), in, {"amount"}).ok());
  ASSERT_TRUE(h_.Reopen(Rep3(), e_, "回来了").ok());
  auto mgr = h_.User("mgr_east", "east", "sales_manager");
  in.set_owner_id(rep3_);
  ASSERT_TRUE(h_.Update(mgr.token, in, {"owner_id"}).ok());
  At(130);
  ASSERT_TRUE(h_.Move(Rep3(), a_, "needs").ok());

  PipelineStore pipelines(h_.schema().Pool(), h_.shared_clock());
  auto pipeline = pipelines.Get(1);
  ASSERT_TRUE(pipeline.ok());
  ReportStore store(h_.schema().Pool());
  ReportScope live;
  live.visibility = {"TRUE", {}};
  ReportScope rolled = live;
  rolled.rollup_visibility = auth::SqlPredicate{"TRUE", {}};
  ReportScope team = rolled;
  team.subtree_path = absl::StrCat("/", h_.Unit("root"), "/", h_.Unit("east"),
                                   "/", h_.Unit("e2"), "/");
  ReportScope team_live = team;
  team_live.rollup_visibility.reset();
  ReportScope wide = rolled;  // edges read by time
  wide.wide = true;
  const absl::Duration h = absl::Hours(1);
  for (auto [from, to] : {std::pair{t0_ - 72 * h, t0_ + 240 * h},
                          {t0_ - h, t0_ + h},
                          {t0_ + 30 * h, t0_ + 100 * h},
                          {t0_ - 1000 * h, t0_ + 1000 * h}}) {
    for (auto [a, b] :
         {std::pair{&live, &rolled}, {&team_live, &team}, {&live, &wide}}) {
      auto lc = store.FunnelCells(1, *a, from, to);
      auto rc = store.FunnelCells(1, *b, from, to);
      auto ls = store.StayBuckets(1, *a, from, to);
      auto rs = store.StayBuckets(1, *b, from, to);
      ASSERT_TRUE(lc.ok() && rc.ok() && ls.ok() && rs.ok());
      FunnelResult x = ComputeFunnel(*pipeline, *lc, *ls);
      FunnelResult y = ComputeFunnel(*pipeline, *rc, *rs);
      EXPECT_EQ(x.total_count, y.total_count);
      for (size_t i = 0; i < x.stages.size(); ++i) {
        EXPECT_EQ(x.stages[i].current_count, y.stages[i].current_count);
        EXPECT_EQ(x.stages[i].current_amount_minor,
                  y.stages[i].current_amount_minor);
        EXPECT_EQ(x.stages[i].reached_count, y.stages[i].reached_count);
        EXPECT_EQ(x.stages[i].completed_stays, y.stages[i].completed_stays);
        EXPECT_DOUBLE_EQ(x.stages[i].median_days_in_stage,
                         y.stages[i].median_days_in_stage);
      }
    }
  }
  // No rollup cell is left negative or empty-but-present with amount.
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM funnel_daily WHERE n < 0 "
                        "OR (n = 0 AND amount_minor <> 0)"),
            0);
  EXPECT_EQ(h_.QueryInt("SELECT CAST(SUM(n) AS SIGNED) AS c FROM "
                        "funnel_daily"),
            5);
}

}  // namespace
}  // namespace crm::opportunities
