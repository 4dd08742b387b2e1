// One service binary run as a process, the way `crmctl up` runs it: its own
// fresh schema, a MySQL user limited to that schema, the test Redis under a
// unique key prefix, and the token key all e2e processes share.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
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

  // Starts the binary and waits until it serves (false with the log in the
  // test output otherwise). May be called again after Stop().
  bool Start();
  // SIGTERM and wait; returns the waitpid status, -1 if it hung.
  int Stop(absl::Duration timeout = absl::Seconds(15));

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

}  // namespace crm::testing
