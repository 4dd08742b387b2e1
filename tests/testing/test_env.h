// Where the real MariaDB and Redis started by `deploy/crmctl test` listen.
// The test command exports CRM_TEST_* variables; a test that needs a server
// and finds none fails loudly (it is never skipped: CI must provide it).
#pragma once

#include <string>

namespace crm::testing {

struct TestMysql {
  std::string host;
  int port = 0;
  std::string user;  // may create schemas and users
  std::string password;
};

struct TestRedis {
  std::string host;
  int port = 0;
};

// Abort the test binary with a clear message if the variables are missing.
TestMysql MysqlFromEnv();
TestRedis RedisFromEnv();

// Restarts the test MariaDB (same data dir and port) and returns when it
// accepts connections again. Only *_serial_test.cc files may call it.
void RestartMysql();

// A name unique to this process and call, usable as a schema name or a Redis
// key prefix: "<prefix>_<pid>_<counter>_<random>" in [a-z0-9_].
std::string UniqueName(const std::string& prefix);

// Directory holding the built binaries (services/, tools/), for e2e tests.
std::string BuildDir();

}  // namespace crm::testing
