// Every scheduled job reports its rounds to /metrics (issue 12, "Metrics":
// job runs): each service binary, run as a process with its admin port, is
// scraped until the crm_job_runs_total / crm_job_run_seconds series of each
// of its background jobs appear — the service's own jobs and its outbox
// relay.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/testing/service_process.h"
#include "tests/testing/test_env.h"

namespace crm::testing {
namespace {

std::string Metrics(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return "";
  return res->body;
}

bool Has(const std::string& page, const std::string& line_prefix) {
  return page.find("\n" + line_prefix) != std::string::npos;
}

struct Case {
  std::string service;
  std::vector<std::string> jobs;
};

class OpsJobMetricsTest : public ::testing::TestWithParam<Case> {};

TEST_P(OpsJobMetricsTest, EveryJobOfTheServiceReportsItsRounds) {
  const Case& c = GetParam();
  const int admin_port = FreePort();
  ServiceProcess process(
      c.service, {{"CRM_ADMIN_LISTEN", absl::StrCat("127.0.0.1:", admin_port)},
                  {"CRM_BOOTSTRAP_ADMIN_USERNAME", "admin"},
                  {"CRM_BOOTSTRAP_ADMIN_PASSWORD", "Ops-admin-pass-1"},
                  {"CRM_PASSWORD_HASH_OPS", "1"},
                  {"CRM_PASSWORD_HASH_MEM_KIB", "8"}});
  ASSERT_TRUE(process.Start());
  // Jobs run a first round at start; the relay every 200 ms.
  auto all_reported = [&](const std::string& page) {
    for (const std::string& job : c.jobs) {
      if (!Has(page, absl::StrCat("crm_job_runs_total{job=\"", job,
                                  "\",outcome=\"ok\"} ")))
        return false;
    }
    return true;
  };
  std::string page;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!all_reported(page = Metrics(admin_port)) && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(100));
  for (const std::string& job : c.jobs) {
    EXPECT_TRUE(Has(page, absl::StrCat("crm_job_runs_total{job=\"", job,
                                       "\",outcome=\"ok\"} ")))
        << job << "\n"
        << page;
    EXPECT_TRUE(Has(
        page, absl::StrCat("crm_job_run_seconds_count{job=\"", job, "\"} ")))
        << job;
    EXPECT_TRUE(
        Has(page, absl::StrCat("crm_job_last_run_timestamp_seconds{job=\"", job,
                               "\",outcome=\"ok\"} ")))
        << job;
    EXPECT_FALSE(Has(page, absl::StrCat("crm_job_runs_total{job=\"", job,
                                        "\",outcome=\"error\"} ")))
        << job << "\n"
        << page;
  }
  EXPECT_EQ(process.Stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Services, OpsJobMetricsTest,
    ::testing::Values(
        Case{"identity", {"outbox_relay"}},
        Case{"accounts", {"accounts_recycle", "outbox_relay"}},
        Case{"leads", {"leads_recycle", "outbox_relay"}},
        Case{"opportunities", {"opportunities_stale", "outbox_relay"}},
        Case{"orders",
             {"orders_overdue", "orders_leaderboards", "outbox_relay"}},
        Case{"tickets", {"tickets_sla", "outbox_relay"}}),
    [](const auto& info) { return info.param.service; });

}  // namespace
}  // namespace crm::testing
