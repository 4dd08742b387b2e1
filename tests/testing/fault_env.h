// Fault injection for tests/fault (issue 12): crash the test MariaDB, run a
// private Redis that can be killed and brought back, and scale the load
// (`crmctl bench --faults` sets CRM_FAULT_LOAD=heavy).
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "tests/testing/subprocess.h"

namespace crm::testing {

// 1 normally, 4 with CRM_FAULT_LOAD=heavy: multiplies clients and calls.
int FaultScale();

// SIGKILLs the test MariaDB (CRM_TEST_MYSQL_RESTART ... --kill), keeps it
// down for `down`, starts it again on the same data and port and returns
// once it accepts connections. The test must run alone (tests/fault does).
void KillAndRestartMysql(absl::Duration down);

// A redis-server child on a free port. Persistent (appendonly, fsync
// always) or memory-only, so a kill either keeps or loses the data set.
class PrivateRedis {
 public:
  explicit PrivateRedis(bool persistent);
  ~PrivateRedis();
  // Starts (again) and waits for PING; false with the log on failure.
  bool Start();
  // SIGKILL: a crash; clients see their connections reset. With
  // `lose_data` the append-only file goes too (a replacement instance).
  void Kill(bool lose_data = false);
  int port() const { return port_; }
  // Points CRM_TEST_REDIS_HOST/PORT of this process at this server, so
  // harnesses created afterwards (TestRedisPool) use it.
  void UseForHarnesses() const;

 private:
  bool persistent_;
  int port_;
  std::string dir_;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace crm::testing
