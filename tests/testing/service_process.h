// One service binary run as a process, the way `crmctl up` runs it: its own
// fresh schema, a MySQL user limited to that schema, the test Redis under a
// unique key prefix, and the token key all e2e processes share.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_db.h"

namespace crm::testing {

inline constexpr char kE2eTokenKey[] =
    "e2e-token-key-e2e-token-key-e2e-token-key";

// Polls grpc.health.v1 until SERVING or the timeout.
bool WaitServing(const std::string& address, absl::Duration timeout);

class ServiceProcess {
 public:
  // `service` is the folder name ("identity"); `env` adds or overrides
  // CRM_* variables.
  ServiceProcess(std::string service,
                 std::map<std::string, std::string> env = {});
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Adds or overrides one CRM_* variable (before Start()).
  void SetEnv(const std::string& key, const std::string& value) {
    env_[key] = value;
  }

  // Starts the binary and waits until it serves (false with the log in the
  // test output otherwise). May be called again after Stop().
  bool Start();
  // SIGTERM and wait; returns the waitpid status, -1 if it hung.
  int Stop(absl::Duration timeout = absl::Seconds(15));

  // Started and not yet stopped.
  bool running() const { return process_ != nullptr && process_->pid() > 0; }
  const std::string& address() const { return address_; }
  const std::string& redis_prefix() const { return redis_prefix_; }
  TestSchema& schema() { return schema_; }
  Subprocess& process() { return *process_; }

 private:
  std::string service_;
  std::map<std::string, std::string> env_;
  TestSchema schema_;
  std::string user_;
  std::string address_;
  std::string redis_prefix_;
  std::unique_ptr<Subprocess> process_;
};

// crm-gateway as a process (HTTP; no schema): ready when GET /healthz
// answers 200.
class GatewayProcess {
 public:
  explicit GatewayProcess(std::map<std::string, std::string> env = {});
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  void SetEnv(const std::string& key, const std::string& value) {
    env_[key] = value;
  }
  bool Start();
  int Stop(absl::Duration timeout = absl::Seconds(15));
  int port() const { return port_; }
  bool running() const { return process_ != nullptr && process_->pid() > 0; }
  // A client for 127.0.0.1:port() with a 30 s read timeout.
  httplib::Client Client() const;
  Subprocess& process() { return *process_; }

 private:
  std::map<std::string, std::string> env_;
  int port_;
  std::unique_ptr<Subprocess> process_;
};

// Polls GET /healthz on 127.0.0.1:port until 200 or the timeout.
bool WaitHealthz(int port, absl::Duration timeout);

// The whole suite as processes, wired the way `crmctl up` wires it: every
// service knows every other one's address (CRM_<SVC>_ADDR), all share one
// Redis key prefix (events flow between them through Redis streams) and
// the token key; the gateway fronts them all. Start() also loads the demo
// organisation and users (tools::SeedDemo) and, with accounts, the demo
// pools and customers (tools::SeedDemoAccounts).
class ProcessSuite {
 public:
  static constexpr char kAdminUsername[] = "admin";
  static constexpr char kAdminPassword[] = "E2e-admin-pass-1";
  // Every backend in start order (each only calls services before it).
  static const std::vector<std::string>& AllServices();

  explicit ProcessSuite(std::vector<std::string> services = AllServices(),
                        bool gateway = true);
  ~ProcessSuite();
  ProcessSuite(const ProcessSuite&) = delete;
  ProcessSuite& operator=(const ProcessSuite&) = delete;

  // Starts everything and seeds the demo data; false (with the failing
  // process's log on stderr) otherwise.
  bool Start();
  // Gateway first, then the backends in reverse start order; true if every
  // one exited within its grace period.
  bool Stop();

  ServiceProcess& service(const std::string& name);
  const std::string& address(const std::string& name) {
    return service(name).address();
  }
  GatewayProcess& gateway() { return *gateway_; }
  const std::string& redis_prefix() const { return redis_prefix_; }

  // Logs in over gRPC at identity (a demo user's password by default).
  crm::identity::v1::LoginResponse Login(const std::string& username,
                                         const std::string& password = "");

 private:
  std::vector<std::string> names_;
  std::string redis_prefix_;
  std::map<std::string, std::unique_ptr<ServiceProcess>> services_;
  std::unique_ptr<GatewayProcess> gateway_;
};

}  // namespace crm::testing
