#include "tests/testing/service_process.h"

#include <signal.h>

#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/db/connection.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/test_env.h"

namespace crm::testing {

bool WaitServing(const std::string& address, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    // A fresh channel per try: a channel that saw "connection refused"
    // waits out its reconnect backoff before trying again.
    auto stub = grpc::health::v1::Health::NewStub(client::MakeChannel(address));
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "", absl::Milliseconds(500));
    grpc::health::v1::HealthCheckResponse resp;
    if (stub->Check(&ctx, {}, &resp).ok() &&
        resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

namespace {
void Admin(const std::string& sql) {
  auto admin = db::Connection::Open(AdminOptions());
  if (!admin.ok() || !(*admin)->ExecRaw(sql).ok()) {
    std::fprintf(stderr, "FATAL: %s failed\n", sql.c_str());
    std::abort();
  }
}
}  // namespace

ServiceProcess::ServiceProcess(std::string service,
                               std::map<std::string, std::string> env)
    : service_(std::move(service)),
      env_(std::move(env)),
      schema_("e2e" + service_.substr(0, 4)),
      user_(UniqueName("svc")),
      address_(absl::StrCat("127.0.0.1:", FreePort())),
      redis_prefix_(UniqueName("e2e") + ":") {
  for (const char* host : {"127.0.0.1", "localhost"}) {
    Admin(absl::StrCat("CREATE USER '", user_, "'@'", host,
                       "' IDENTIFIED BY 'svc-pw'"));
    Admin(absl::StrCat("GRANT ALL ON `", schema_.name(), "`.* TO '", user_,
                       "'@'", host, "'"));
  }
}

ServiceProcess::~ServiceProcess() {
  process_.reset();
  for (const char* host : {"127.0.0.1", "localhost"}) {
    Admin(absl::StrCat("DROP USER IF EXISTS '", user_, "'@'", host, "'"));
  }
}

bool ServiceProcess::Start() {
  const TestMysql m = MysqlFromEnv();
  const TestRedis r = RedisFromEnv();
  std::map<std::string, std::string> env = {
      {"CRM_LISTEN", address_},
      {"CRM_DB_HOST", m.host},
      {"CRM_DB_PORT", absl::StrCat(m.port)},
      {"CRM_DB_USER", user_},
      {"CRM_DB_PASSWORD", "svc-pw"},
      {"CRM_DB_NAME", schema_.name()},
      {"CRM_TOKEN_KEY", kE2eTokenKey},
      {"CRM_SHUTDOWN_GRACE", "5s"},
      {"CRM_REDIS_HOST", r.host},
      {"CRM_REDIS_PORT", absl::StrCat(r.port)},
      {"CRM_REDIS_KEY_PREFIX", redis_prefix_},
  };
  for (const auto& [k, v] : env_) env[k] = v;
  process_ = std::make_unique<Subprocess>(
      absl::StrCat(BuildDir(), "/services/", service_, "/crm-", service_),
      std::vector<std::string>{}, env,
      absl::StrCat("/tmp/", schema_.name(), ".log"));
  if (!process_->Start()) return false;
  if (!WaitServing(address_, absl::Seconds(30))) {
    std::fprintf(stderr, "%s did not serve:\n%s\n", service_.c_str(),
                 process_->ReadLog().c_str());
    return false;
  }
  return true;
}

int ServiceProcess::Stop(absl::Duration timeout) {
  return process_ == nullptr ? -1 : process_->Stop(SIGTERM, timeout);
}

}  // namespace crm::testing
