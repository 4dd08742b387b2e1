// The dashboard in a real browser: the suite runs as processes
// (testing::ProcessSuite), a rep's contract is signed and half paid and
// the boss sets this month's targets, then tests/browser/dashboard_check.mjs
// drives headless Debian chromium (playwright-core): it logs in as the
// demo boss, waits for every panel, checks that the numbers shown equal
// GetBusinessSummary for the same org unit and period, and saves
// screenshots under <build>/tests/browser/.
//
// Skipped (with the reason) only when chromium or node is not installed;
// `crmctl test` installs both (DEPS) and runs `npm ci` in tests/browser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tests/testing/test_env.h"

namespace crm {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr char kOrders[] = "/v1/crm.orders.v1.OrdersService/";
constexpr char kChromium[] = "/usr/bin/chromium";

std::string SourceDir() {
  if (const char* d = std::getenv("CRM_TEST_SOURCE_DIR"); d && *d) return d;
  // tests/e2e/<this file> -> the source root.
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

// Runs `command` through /bin/sh; its exit code and output (stdout and
// stderr).
std::pair<int, std::string> Shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class Gateway {
 public:
  explicit Gateway(testing::GatewayProcess& g) : gw_(g) {}
  json Login(const std::string& user, const std::string& password) {
    return Call("/v1/login", "", {{"username", user}, {"password", password}});
  }
  json Call(const std::string& path, const std::string& token,
            const json& body) {
    httplib::Client c = gw_.Client();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    auto res = c.Post(path, h, body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 200)
        << path << ": " << (res ? res->body : "no reply");
    if (!res || res->status != 200) return json::object();
    return json::parse(res->body, nullptr, false);
  }

 private:
  testing::GatewayProcess& gw_;
};

TEST(DashboardBrowserTest, BossSeesTheBusinessSummaryInChromium) {
  if (access(kChromium, X_OK) != 0) {
    GTEST_FAIL() << kChromium
                 << " is not installed (Debian package chromium; `crmctl "
                    "deps` installs it): the browser test cannot run";
  }
  const auto [node_rc, node_version] = Shell("node --version");
  if (node_rc != 0) {
    GTEST_FAIL() << "node is not installed (Debian package nodejs): the "
                    "browser test cannot run";
  }
  const fs::path browser_dir = fs::path(SourceDir()) / "tests" / "browser";
  ASSERT_TRUE(fs::exists(browser_dir / "dashboard_check.mjs")) << browser_dir;
  if (!fs::exists(browser_dir / "node_modules" / "playwright-core")) {
    const auto [rc, out] =
        Shell(absl::StrCat("cd '", browser_dir.string(),
                           "' && npm ci --no-audit --no-fund --silent"));
    ASSERT_EQ(rc, 0) << "npm ci in tests/browser failed:\n" << out;
  }

  testing::ProcessSuite suite;
  ASSERT_TRUE(suite.Start());
  Gateway gw(suite.gateway());
  const std::string rep =
      gw.Login("rep.sh1.1", "Demo-pass-2026!").value("accessToken", "");
  const std::string lead =
      gw.Login("lead.sh1", "Demo-pass-2026!").value("accessToken", "");
  const std::string fin =
      gw.Login("finance", "Demo-pass-2026!").value("accessToken", "");
  const json boss = gw.Login("boss", "Demo-pass-2026!");
  ASSERT_FALSE(rep.empty());

  // A key account, with a contract of 80 000.00 signed today that ends in
  // five months (a renewal candidate), its first installment of 40 000.00
  // due five days ago and 30 000.00 of it received (10 000.00 overdue),
  // and an open opportunity at "needs".
  const absl::Time now = absl::Now();
  auto day = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
  };
  const std::string first17 = "91310000MA1BR0WK1";
  const json account = gw.Call(
      "/v1/crm.accounts.v1.AccountsService/CreateAccount", rep,
      {{"account",
        {{"kind", "ACCOUNT_KIND_COMPANY"},
         {"name", "上海看板浏览器测试有限公司"},
         {"type", "CUSTOMER_TYPE_KA"},
         {"creditCode", first17 + *validate::CreditCodeCheckChar(first17)}}},
       {"ignoreSimilar", true}});
  const json money = {{"currencyCode", "CNY"}, {"amountMinor", "4000000"}};
  json contract = gw.Call(
      absl::StrCat(kOrders, "CreateContract"), rep,
      {{"contract",
        {{"accountId", account["account"]["id"]},
         {"title", "看板测试合同"},
         {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "8000000"}}},
         {"startDate", day(now - absl::Hours(24 * 200))},
         {"endDate", day(now + absl::Hours(24 * 150))},
         {"type", "CONTRACT_TYPE_NEW"},
         {"installments",
          {{{"dueDate", day(now - absl::Hours(24 * 5))}, {"amount", money}},
           {{"dueDate", day(now + absl::Hours(24 * 60))},
            {"amount", money}}}}}}});
  const json id = contract["id"];
  contract =
      gw.Call(absl::StrCat(kOrders, "SubmitContract"), rep, {{"id", id}});
  const json steps = contract.value("approvalSteps", json::array());
  for (size_t step = 0; step < steps.size(); ++step) {
    gw.Call(absl::StrCat(kOrders, "ApproveContract"),
            steps[step] == "finance" ? fin
            : steps[step] == "boss"  ? boss.value("accessToken", "")
                                     : lead,
            {{"id", id}, {"step", step}});
  }
  contract = gw.Call(absl::StrCat(kOrders, "SignContract"), rep, {{"id", id}});
  ASSERT_EQ(contract.value("status", ""), "CONTRACT_STATUS_SIGNED");
  gw.Call(absl::StrCat(kOrders, "RecordPayment"), fin,
          {{"contractId", id},
           {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "3000000"}}},
           {"receivedDate", day(now)},
           {"reference", "BROWSER-PAY-1"}});
  json opp = gw.Call(
      "/v1/crm.opportunities.v1.OpportunitiesService/CreateOpportunity", rep,
      {{"opportunity",
        {{"accountId", account["account"]["id"]},
         {"name", "看板测试 二期扩容"},
         {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "500000"}}}}}});
  opp = gw.Call("/v1/crm.opportunities.v1.OpportunitiesService/MoveStage", rep,
                {{"opportunityId", opp["id"]}, {"stage", "needs"}});
  EXPECT_EQ(opp.value("stage", ""), "needs");
  {
    // The overdue check (the admin's, over gRPC) flags the late
    // installment for the collections list.
    auto orders = crm::orders::v1::OrdersService::NewStub(
        client::MakeChannel(suite.address("orders")));
    grpc::ClientContext ctx;
    client::Prepare(&ctx, suite
                              .Login(testing::ProcessSuite::kAdminUsername,
                                     testing::ProcessSuite::kAdminPassword)
                              .access_token());
    crm::orders::v1::RunOverdueCheckRequest req;
    crm::orders::v1::RunOverdueCheckResponse resp;
    grpc::Status s = orders->RunOverdueCheck(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.newly_overdue(), 1);
  }
  // The boss's browser computes "this month" in its own time zone; the
  // chromium here runs in UTC like the services.
  const std::string month = absl::FormatTime("%Y-%m", now, absl::UTCTimeZone());
  const std::string root = boss["user"].value("orgPath", "");
  for (const auto& [metric, value] :
       {std::pair<const char*, const char*>{"METRIC_SIGNED_AMOUNT", "10000000"},
        {"METRIC_RECEIVED_AMOUNT", "6000000"}}) {
    gw.Call(absl::StrCat(kOrders, "SetTarget"), boss.value("accessToken", ""),
            {{"target",
              {{"orgPath", root},
               {"period", month},
               {"metric", metric},
               {"value", value}}}});
  }

  const fs::path shots = fs::path(testing::BuildDir()) / "tests" / "browser";
  fs::create_directories(shots);
  const fs::path png = shots / "dashboard.png";
  fs::remove(png);
  const json expect = {{"signed", "8000000"},
                       {"received", "3000000"},
                       {"signedTarget", "10000000"},
                       {"receivedTarget", "6000000"},
                       {"contractsSigned", "1"},
                       {"newCustomers", "1"},
                       {"overdueOutstanding", "1000000"}};
  const auto [rc, out] = Shell(absl::StrCat(
      "cd '", browser_dir.string(),
      "' && TZ=UTC CRM_GATEWAY_URL=http://127.0.0.1:", suite.gateway().port(),
      " CRM_USERNAME=boss CRM_PASSWORD='Demo-pass-2026!'",
      " CRM_CHROMIUM=", kChromium, " CRM_SCREENSHOT='", png.string(),
      "' CRM_EXPECT_JSON='", expect.dump(), "' node dashboard_check.mjs"));
  // 77: chromium is installed but does not start (a failure, not a skip).
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(fs::exists(png)) << out;
  std::printf("%s", out.c_str());
  EXPECT_TRUE(suite.Stop());
}

}  // namespace
}  // namespace crm
