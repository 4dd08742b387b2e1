#include "tests/testing/service_process.h"

#include <signal.h>

#include <cstdio>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/db/connection.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/test_env.h"
#include "tests/testing/test_redis.h"
#include "tools/demo_seed.h"

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
      // No NOT_SERVING pause before shutting down (tests stop processes
      // often); the SIGTERM fault test sets one.
      {"CRM_DRAIN_DELAY", "0s"},
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

bool WaitHealthz(int port, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(0, 500000);
    auto res = c.Get("/healthz");
    if (res && res->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

GatewayProcess::GatewayProcess(std::map<std::string, std::string> env)
    : env_(std::move(env)), port_(FreePort()) {}

bool GatewayProcess::Start() {
  const TestRedis r = RedisFromEnv();
  std::map<std::string, std::string> env = {
      {"CRM_LISTEN", absl::StrCat("127.0.0.1:", port_)},
      {"CRM_TOKEN_KEY", kE2eTokenKey},
      {"CRM_REDIS_HOST", r.host},
      {"CRM_REDIS_PORT", absl::StrCat(r.port)},
      {"CRM_REDIS_KEY_PREFIX", UniqueName("e2egw") + ":"},
      {"CRM_SHUTDOWN_GRACE", "5s"},
  };
  for (const auto& [k, v] : env_) env[k] = v;
  process_ = std::make_unique<Subprocess>(
      absl::StrCat(BuildDir(), "/services/gateway/crm-gateway"),
      std::vector<std::string>{}, env,
      absl::StrCat("/tmp/", UniqueName("e2e_gateway"), ".log"));
  if (!process_->Start()) return false;
  if (!WaitHealthz(port_, absl::Seconds(30))) {
    std::fprintf(stderr, "gateway did not serve:\n%s\n",
                 process_->ReadLog().c_str());
    return false;
  }
  return true;
}

int GatewayProcess::Stop(absl::Duration timeout) {
  return process_ == nullptr ? -1 : process_->Stop(SIGTERM, timeout);
}

httplib::Client GatewayProcess::Client() const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30, 0);
  return c;
}

const std::vector<std::string>& ProcessSuite::AllServices() {
  static const auto* all = new std::vector<std::string>{
      "identity", "accounts", "orders", "opportunities", "leads", "tickets"};
  return *all;
}

ProcessSuite::ProcessSuite(std::vector<std::string> services, bool gateway)
    : names_(std::move(services)), redis_prefix_(UniqueName("e2es") + ":") {
  for (const std::string& name : names_) {
    services_[name] = std::make_unique<ServiceProcess>(
        name, std::map<std::string, std::string>{
                  {"CRM_REDIS_KEY_PREFIX", redis_prefix_}});
  }
  if (gateway) gateway_ = std::make_unique<GatewayProcess>();
  // Everyone learns everyone's address, as under `crmctl up`.
  for (const std::string& name : names_) {
    const std::string key =
        absl::StrCat("CRM_", absl::AsciiStrToUpper(name), "_ADDR");
    for (auto& [other, process] : services_) {
      if (other != name) process->SetEnv(key, services_[name]->address());
    }
    if (gateway_ != nullptr) gateway_->SetEnv(key, services_[name]->address());
  }
  if (services_.count("identity")) {
    ServiceProcess& id = *services_["identity"];
    id.SetEnv("CRM_BOOTSTRAP_ADMIN_USERNAME", kAdminUsername);
    id.SetEnv("CRM_BOOTSTRAP_ADMIN_PASSWORD", kAdminPassword);
    id.SetEnv("CRM_PASSWORD_HASH_OPS", "1");
    id.SetEnv("CRM_PASSWORD_HASH_MEM_KIB", "8");
  }
}

ProcessSuite::~ProcessSuite() { Stop(); }

bool ProcessSuite::Start() {
  for (const std::string& name : names_) {
    if (!services_[name]->Start()) return false;
  }
  if (services_.count("identity")) {
    auto identity = crm::identity::v1::IdentityService::NewStub(
        client::MakeChannel(address("identity")));
    if (absl::Status s =
            tools::SeedDemo(*identity, kAdminUsername, kAdminPassword);
        !s.ok()) {
      std::fprintf(stderr, "SeedDemo: %s\n", s.ToString().c_str());
      return false;
    }
    if (services_.count("accounts")) {
      auto accounts = crm::accounts::v1::AccountsService::NewStub(
          client::MakeChannel(address("accounts")));
      if (absl::Status s = tools::SeedDemoAccounts(
              *identity, *accounts, kAdminUsername, kAdminPassword);
          !s.ok()) {
        std::fprintf(stderr, "SeedDemoAccounts: %s\n", s.ToString().c_str());
        return false;
      }
    }
  }
  return gateway_ == nullptr || gateway_->Start();
}

bool ProcessSuite::Stop() {
  bool ok = true;
  if (gateway_ != nullptr && gateway_->running()) {
    ok &= gateway_->Stop() == 0;
  }
  for (auto it = names_.rbegin(); it != names_.rend(); ++it) {
    ServiceProcess& p = *services_[*it];
    if (p.running()) ok &= p.Stop() != -1;
  }
  return ok;
}

ServiceProcess& ProcessSuite::service(const std::string& name) {
  auto it = services_.find(name);
  if (it == services_.end()) {
    std::fprintf(stderr, "FATAL: service %s is not in this suite\n",
                 name.c_str());
    std::abort();
  }
  return *it->second;
}

crm::identity::v1::LoginResponse ProcessSuite::Login(
    const std::string& username, const std::string& password) {
  auto identity = crm::identity::v1::IdentityService::NewStub(
      client::MakeChannel(address("identity")));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  crm::identity::v1::LoginRequest req;
  req.set_username(username);
  req.set_password(password.empty() ? std::string(tools::kDemoPassword)
                                    : password);
  crm::identity::v1::LoginResponse resp;
  grpc::Status s = identity->Login(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "login %s: %s\n", username.c_str(),
                 s.error_message().c_str());
  }
  return resp;
}

}  // namespace crm::testing
