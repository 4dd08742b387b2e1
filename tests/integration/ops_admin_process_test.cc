// The admin port of a real service binary (crm-identity run as a process,
// the way Kubernetes runs it with CRM_ADMIN_LISTEN set): /healthz and
// /metrics with the request counters and the pool gauges ServiceRuntime
// registers; the port closes with the process after SIGTERM; a configured
// admin port that is taken stops start-up.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/testing/service_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_db.h"
#include "tests/testing/test_env.h"

namespace crm::testing {
namespace {

std::map<std::string, std::string> Env(int admin_port) {
  return {{"CRM_ADMIN_LISTEN", absl::StrCat("127.0.0.1:", admin_port)},
          {"CRM_BOOTSTRAP_ADMIN_USERNAME", "admin"},
          {"CRM_BOOTSTRAP_ADMIN_PASSWORD", "Ops-admin-pass-1"},
          {"CRM_PASSWORD_HASH_OPS", "1"},
          {"CRM_PASSWORD_HASH_MEM_KIB", "8"}};
}

struct HttpResult {
  int status = 0;  // 0: no answer
  std::string body;
};

HttpResult Get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  auto res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->body};
}

bool Has(const std::string& page, const std::string& line_prefix) {
  return page.find("\n" + line_prefix) != std::string::npos;
}

TEST(OpsAdminProcessTest, ServesMetricsAndHealthUntilStopped) {
  const int admin_port = FreePort();
  ServiceProcess identity("identity", Env(admin_port));
  ASSERT_TRUE(identity.Start());  // WaitServing calls grpc.health.v1 Check

  HttpResult health = Get(admin_port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "SERVING\n");

  HttpResult metrics = Get(admin_port, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string& page = metrics.body;
  EXPECT_TRUE(Has(page,
                  "crm_grpc_requests_total{method=\"/grpc.health.v1."
                  "Health/Check\",code=\"OK\"} "))
      << page;
  EXPECT_TRUE(Has(page,
                  "crm_grpc_request_seconds_bucket{method=\"/grpc."
                  "health.v1.Health/Check\",le=\"+Inf\"} "));
  EXPECT_TRUE(Has(page, "crm_service_info{service=\"identity\"} 1\n"));
  EXPECT_TRUE(Has(page, "crm_db_pool_connections{state=\"in_use\"} "));
  EXPECT_TRUE(Has(page, "crm_db_pool_connections{state=\"idle\"} "));
  EXPECT_TRUE(Has(page, "crm_db_pool_max_connections 8\n"));
  EXPECT_TRUE(Has(page, "crm_redis_pool_max_connections 8\n"));

  const int status = identity.Stop();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Get(admin_port, "/healthz").status, 0) << "still listening";
}

TEST(OpsAdminProcessTest, ConfiguredAdminPortThatIsTakenStopsStartUp) {
  // Hold the port with a listening socket of our own.
  httplib::Server squatter;
  const int port = squatter.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  TestSchema schema("ops_admin");
  const TestMysql m = MysqlFromEnv();
  const TestRedis r = RedisFromEnv();
  std::map<std::string, std::string> env = Env(port);
  env.insert({{"CRM_LISTEN", absl::StrCat("127.0.0.1:", FreePort())},
              {"CRM_DB_HOST", m.host},
              {"CRM_DB_PORT", absl::StrCat(m.port)},
              {"CRM_DB_USER", m.user},
              {"CRM_DB_PASSWORD", m.password},
              {"CRM_DB_NAME", schema.name()},
              {"CRM_TOKEN_KEY", kE2eTokenKey},
              {"CRM_REDIS_HOST", r.host},
              {"CRM_REDIS_PORT", absl::StrCat(r.port)},
              {"CRM_REDIS_KEY_PREFIX", UniqueName("ops") + ":"}});
  Subprocess identity(BuildDir() + "/services/identity/crm-identity", {}, env,
                      absl::StrCat("/tmp/", schema.name(), ".log"));
  ASSERT_TRUE(identity.Start());
  // It must exit by itself (start-up failure), not serve.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (identity.Running() && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(20));
  EXPECT_FALSE(identity.Running()) << "crm-identity kept running";
  const std::string log = identity.ReadLog();
  EXPECT_NE(log.find("admin_listen: cannot listen"), std::string::npos) << log;
  EXPECT_NE(log.find("startup failed"), std::string::npos) << log;
}

}  // namespace
}  // namespace crm::testing
