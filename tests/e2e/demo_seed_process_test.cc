// The demo sales seed (tools::SeedDemoSales, what `crm-cli seed-demo` runs
// after the org, users and customers): the backends as processes
// (testing::ProcessSuite, which seeds the org, users and customers), then
// the sales seed twice. The boss's dashboard figures for this month are
// not zero, and the second run changes nothing.
#include <gtest/gtest.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/client/client.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tests/testing/test_env.h"
#include "tools/demo_seed.h"
#include "tools/demo_seed_sales.h"

namespace crm {
namespace {

namespace opb = crm::opportunities::v1;
namespace rpb = crm::orders::v1;

// What the dashboard shows, in counts and sums.
struct Figures {
  int64_t signed_minor = 0, received_minor = 0, contracts_signed = 0;
  int64_t overdue = 0, new_customers = 0, renewal_customers = 0;
  double signed_rate = 0, received_rate = 0;
  int leaderboard = 0, pending = 0, renewals = 0, products = 0;
  int contracts = 0, opportunities = 0, won = 0, lost = 0, targets = 0;
  bool operator==(const Figures&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Figures& f) {
  return os << "signed=" << f.signed_minor << " received=" << f.received_minor
            << " contracts_signed=" << f.contracts_signed
            << " overdue=" << f.overdue << " new=" << f.new_customers
            << " renewal=" << f.renewal_customers << " board=" << f.leaderboard
            << " pending=" << f.pending << " renewals=" << f.renewals
            << " products=" << f.products << " contracts=" << f.contracts
            << " opps=" << f.opportunities << " won=" << f.won
            << " lost=" << f.lost << " targets=" << f.targets;
}

class DemoSeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new testing::ProcessSuite(testing::ProcessSuite::AllServices(),
                                       /*gateway=*/false);
    started_ = suite_->Start();
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(suite_->Stop());
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(started_) << "the suite did not start";
    identity_ = identity::v1::IdentityService::NewStub(
        client::MakeChannel(suite_->address("identity")));
    accounts_ = accounts::v1::AccountsService::NewStub(
        client::MakeChannel(suite_->address("accounts")));
    opportunities_ = opb::OpportunitiesService::NewStub(
        client::MakeChannel(suite_->address("opportunities")));
    orders_ = rpb::OrdersService::NewStub(
        client::MakeChannel(suite_->address("orders")));
  }

  absl::Status Seed() {
    return tools::SeedDemoSales(*identity_, *accounts_, *opportunities_,
                                *orders_, testing::ProcessSuite::kAdminUsername,
                                testing::ProcessSuite::kAdminPassword);
  }

  template <typename Req, typename Resp>
  void Ok(grpc::Status (rpb::OrdersService::Stub::*method)(grpc::ClientContext*,
                                                           const Req&, Resp*),
          const std::string& token, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    grpc::Status s = ((*orders_).*method)(&ctx, req, resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  Figures Read() {
    Figures f;
    const std::string boss = suite_->Login("boss").access_token();
    const std::string month =
        absl::FormatTime("%Y-%m", absl::Now(), absl::UTCTimeZone());
    rpb::GetBusinessSummaryRequest sreq;
    sreq.set_period(month);
    rpb::BusinessSummary summary;
    Ok(&rpb::OrdersService::Stub::GetBusinessSummary, boss, sreq, &summary);
    f.signed_minor = summary.signed_().amount_minor();
    f.received_minor = summary.received().amount_minor();
    f.signed_rate = summary.signed_rate();
    f.received_rate = summary.received_rate();
    f.contracts_signed = summary.contracts_signed();
    f.overdue = summary.overdue_installments();
    f.new_customers = summary.new_customers();
    f.renewal_customers = summary.renewal_customers();
    rpb::GetLeaderboardRequest lreq;
    lreq.set_metric(rpb::METRIC_SIGNED_AMOUNT);
    lreq.set_period_kind(rpb::PERIOD_KIND_MONTH);
    rpb::Leaderboard board;
    Ok(&rpb::OrdersService::Stub::GetLeaderboard, boss, lreq, &board);
    f.leaderboard = board.entries_size();
    rpb::ListPendingCollectionsRequest preq;
    preq.set_page_size(100);
    rpb::ListPendingCollectionsResponse pending;
    Ok(&rpb::OrdersService::Stub::ListPendingCollections, boss, preq, &pending);
    f.pending = pending.items_size();
    rpb::ListRenewalCandidatesRequest rreq;
    rreq.set_key_accounts_only(true);
    rpb::ListRenewalCandidatesResponse renewals;
    Ok(&rpb::OrdersService::Stub::ListRenewalCandidates, boss, rreq, &renewals);
    f.renewals = renewals.candidates_size();
    rpb::ListProductsRequest prod_req;
    prod_req.set_page_size(200);
    rpb::ListProductsResponse products;
    Ok(&rpb::OrdersService::Stub::ListProducts, boss, prod_req, &products);
    f.products = products.products_size();
    rpb::ListContractsRequest creq;
    creq.set_page_size(200);
    rpb::ListContractsResponse contracts;
    Ok(&rpb::OrdersService::Stub::ListContracts, boss, creq, &contracts);
    f.contracts = contracts.contracts_size();
    rpb::ListTargetsRequest treq;
    treq.set_period(month);
    rpb::ListTargetsResponse targets;
    Ok(&rpb::OrdersService::Stub::ListTargets, boss, treq, &targets);
    f.targets = targets.targets_size();
    {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, boss);
      opb::ListOpportunitiesRequest req;
      req.set_page_size(500);
      opb::ListOpportunitiesResponse resp;
      grpc::Status s = opportunities_->ListOpportunities(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      f.opportunities = resp.opportunities_size();
      for (const opb::Opportunity& o : resp.opportunities()) {
        if (o.status() == opb::OPPORTUNITY_STATUS_WON) ++f.won;
        if (o.status() == opb::OPPORTUNITY_STATUS_LOST) ++f.lost;
      }
    }
    return f;
  }

  static testing::ProcessSuite* suite_;
  static bool started_;
  std::unique_ptr<identity::v1::IdentityService::Stub> identity_;
  std::unique_ptr<accounts::v1::AccountsService::Stub> accounts_;
  std::unique_ptr<opb::OpportunitiesService::Stub> opportunities_;
  std::unique_ptr<rpb::OrdersService::Stub> orders_;
};

testing::ProcessSuite* DemoSeedTest::suite_ = nullptr;
bool DemoSeedTest::started_ = false;

TEST_F(DemoSeedTest, SalesSeedFillsTheDashboardAndIsIdempotent) {
  const Figures before = Read();
  EXPECT_EQ(before.signed_minor, 0);
  EXPECT_EQ(before.contracts, 0);

  absl::Status seeded = Seed();
  ASSERT_TRUE(seeded.ok()) << seeded;
  const Figures first = Read();
  EXPECT_GT(first.signed_minor, 0) << first;
  EXPECT_GT(first.received_minor, 0) << first;
  EXPECT_GT(first.signed_rate, 0) << first;
  EXPECT_GT(first.received_rate, 0) << first;
  EXPECT_GT(first.leaderboard, 0) << first;
  EXPECT_EQ(first.contracts_signed, 5) << first;  // 4 new + 1 renewal
  EXPECT_EQ(first.contracts, 5) << first;
  EXPECT_EQ(first.overdue, 1) << first;
  EXPECT_GE(first.pending, 1) << first;
  EXPECT_GE(first.renewals, 1) << first;
  EXPECT_EQ(first.products, 5) << first;
  EXPECT_EQ(first.opportunities, 8) << first;
  EXPECT_EQ(first.won, 4) << first;
  EXPECT_EQ(first.lost, 1) << first;
  EXPECT_GT(first.targets, 0) << first;
  EXPECT_GT(first.renewal_customers, 0) << first;
  EXPECT_GT(first.new_customers, 0) << first;
  std::printf("figures: %s\n", ::testing::PrintToString(first).c_str());

  // Again: nothing changes, nothing fails.
  absl::Status again = Seed();
  ASSERT_TRUE(again.ok()) << again;
  EXPECT_EQ(Read(), first);

  // And the whole seed once more the way crmctl runs it, through crm-cli
  // (org, users, customers, sales): still nothing changes.
  const std::string cmd = absl::StrCat(
      testing::BuildDir(),
      "/tools/crm-cli seed-demo --identity=", suite_->address("identity"),
      " --accounts=", suite_->address("accounts"),
      " --opportunities=", suite_->address("opportunities"),
      " --orders=", suite_->address("orders"),
      " --admin_username=", testing::ProcessSuite::kAdminUsername,
      " --admin_password=", testing::ProcessSuite::kAdminPassword, " 2>&1");
  FILE* out = popen(cmd.c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string log;
  char buf[512];
  while (fgets(buf, sizeof buf, out) != nullptr) log += buf;
  EXPECT_EQ(pclose(out), 0) << log;
  EXPECT_NE(log.find("demo sales:"), std::string::npos) << log;
  EXPECT_EQ(Read(), first);
}

TEST_F(DemoSeedTest, RefusedWithAWrongAdminPassword) {
  absl::Status s = tools::SeedDemoSales(
      *identity_, *accounts_, *opportunities_, *orders_,
      testing::ProcessSuite::kAdminUsername, "not-the-password");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("login"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace crm
