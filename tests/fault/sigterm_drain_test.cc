// SIGTERM a service under load (issue 12, "Faults"): two crm-accounts
// processes on one schema behind a crm-gateway that balances round-robin
// over both (CRM_ACCOUNTS_ADDR="ip:port,ip:port", ADR 0058). Clients keep
// calling through the gateway while one replica gets SIGTERM: it turns
// NOT_SERVING and keeps serving for its drain delay, the gateway's
// health-checking round_robin stops sending it calls, its in-flight calls
// finish, and only then does it shut down (ADR 0096): no client sees a
// single error. The replica then comes back and takes calls again.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/client/client.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "tests/testing/fault_env.h"
#include "tests/testing/service_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_env.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

using json = nlohmann::json;
constexpr char kAdminPassword[] = "Fault-admin-pass-1";
constexpr char kAccounts[] = "/v1/crm.accounts.v1.AccountsService/";

bool WaitHealthz(int port, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(0, 500000);
    auto res = c.Get("/healthz");
    if (res && res->status == 200) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

// How many requests a replica logged for `method`.
int Served(testing::ServiceProcess& p, const std::string& method) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(p.process().ReadLog(), '\n')) {
    if (absl::StrContains(line, method)) ++n;
  }
  return n;
}

TEST(SigtermDrainTest, OneReplicaDrainsTheOtherTakesOver) {
  testing::ServiceProcess identity(
      "identity", {{"CRM_BOOTSTRAP_ADMIN_USERNAME", "admin"},
                   {"CRM_BOOTSTRAP_ADMIN_PASSWORD", kAdminPassword},
                   {"CRM_PASSWORD_HASH_OPS", "1"},
                   {"CRM_PASSWORD_HASH_MEM_KIB", "8"}});
  ASSERT_TRUE(identity.Start());
  // The drain delay only has to outlast the health status reaching the
  // gateway (one Watch message); 1s leaves a wide margin on a busy box.
  constexpr char kDrainDelay[] = "1s";
  testing::ServiceProcess a("accounts",
                            {{"CRM_IDENTITY_ADDR", identity.address()},
                             {"CRM_DRAIN_DELAY", kDrainDelay}});
  ASSERT_TRUE(a.Start());
  // Replica b: the same schema and Redis prefix as a.
  const testing::TestMysql m = testing::MysqlFromEnv();
  testing::ServiceProcess b("accounts",
                            {{"CRM_IDENTITY_ADDR", identity.address()},
                             {"CRM_DRAIN_DELAY", kDrainDelay},
                             {"CRM_DB_NAME", a.schema().name()},
                             {"CRM_DB_USER", m.user},
                             {"CRM_DB_PASSWORD", m.password},
                             {"CRM_REDIS_KEY_PREFIX", a.redis_prefix()}});
  ASSERT_TRUE(b.Start());
  {
    auto id_stub = crm::identity::v1::IdentityService::NewStub(
        client::MakeChannel(identity.address()));
    ASSERT_TRUE(tools::SeedDemo(*id_stub, "admin", kAdminPassword).ok());
  }

  const int port = testing::FreePort();
  const testing::TestRedis r = testing::RedisFromEnv();
  testing::Subprocess gateway(
      absl::StrCat(testing::BuildDir(), "/services/gateway/crm-gateway"), {},
      {{"CRM_LISTEN", absl::StrCat("127.0.0.1:", port)},
       {"CRM_TOKEN_KEY", testing::kE2eTokenKey},
       {"CRM_REDIS_HOST", r.host},
       {"CRM_REDIS_PORT", absl::StrCat(r.port)},
       {"CRM_REDIS_KEY_PREFIX", testing::UniqueName("faultgw") + ":"},
       {"CRM_RATE_LIMIT_PER_IP", "1000000"},
       {"CRM_RATE_LIMIT_PER_USER", "1000000"},
       {"CRM_IDENTITY_ADDR", identity.address()},
       {"CRM_ACCOUNTS_ADDR", absl::StrCat(a.address(), ",", b.address())}},
      absl::StrCat("/tmp/", testing::UniqueName("fault_gateway"), ".log"));
  ASSERT_TRUE(gateway.Start());
  ASSERT_TRUE(WaitHealthz(port, absl::Seconds(30))) << gateway.ReadLog();

  std::string token;
  {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    auto login = c.Post(
        "/v1/login",
        json{{"username", "rep.sh1.1"}, {"password", tools::kDemoPassword}}
            .dump(),
        "application/json");
    ASSERT_TRUE(login);
    ASSERT_EQ(login->status, 200) << login->body;
    token = json::parse(login->body).value("accessToken", "");
  }
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  // Any failed call fails the test, during the drain too: by the time a
  // shuts down the gateway has stopped sending it calls, so none is queued
  // there to be cancelled.
  std::mutex mu;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4 * testing::FaultScale(); ++t) {
    clients.emplace_back([&] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(30, 0);
      while (!stop) {
        auto res = c.Post(absl::StrCat(kAccounts, "ListAccounts"), auth,
                          R"({"pageSize": 20})", "application/json");
        if (res && res->status == 200) {
          ++ok;
        } else {
          const std::string what =
              res ? absl::StrCat(res->status, " ", res->body)
                  : httplib::to_string(res.error());
          ++failed;
          std::lock_guard<std::mutex> lock(mu);
          failures.push_back(what);
        }
      }
    });
  }
  auto wait_ok = [&](int more) {
    const int target = ok + more;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (ok < target && absl::Now() < deadline && failed == 0)
      absl::SleepFor(absl::Milliseconds(20));
  };
  wait_ok(200);
  const int a_before = Served(a, "ListAccounts");
  const int b_before = Served(b, "ListAccounts");
  EXPECT_GT(a_before, 0) << "round_robin should spread calls over both";
  EXPECT_GT(b_before, 0) << "round_robin should spread calls over both";

  // SIGTERM replica a under load: it drains and exits 0.
  EXPECT_EQ(a.Stop(absl::Seconds(20)), 0) << a.process().ReadLog();
  EXPECT_TRUE(absl::StrContains(a.process().ReadLog(),
                                "not serving; draining traffic away"));
  const int b_at_stop = Served(b, "ListAccounts");
  wait_ok(300);
  EXPECT_GT(Served(b, "ListAccounts"), b_at_stop) << "b took over";

  // a comes back on the same address and gets calls again.
  ASSERT_TRUE(a.Start());
  const int a_restarted = Served(a, "ListAccounts");
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (Served(a, "ListAccounts") == a_restarted && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(100));
  EXPECT_GT(Served(a, "ListAccounts"), a_restarted) << "a rejoined";

  stop = true;
  for (auto& t : clients) t.join();
  std::printf("%d calls ok, %d failed\n", ok.load(), failed.load());
  EXPECT_EQ(failed, 0) << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(gateway.Stop(SIGTERM, absl::Seconds(15)), 0);
  EXPECT_NE(b.Stop(), -1);
  EXPECT_NE(a.Stop(), -1);
  EXPECT_NE(identity.Stop(), -1);
}

}  // namespace
}  // namespace crm
