#include "tests/testing/test_env.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace crm::testing {
namespace {

std::string Require(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    std::fprintf(
        stderr,
        "FATAL: %s is not set. Integration tests run against the MariaDB and "
        "Redis "
        "that `deploy/crmctl test` starts; run the tests through it.\n",
        name);
    std::abort();
  }
  return v;
}

int RequirePort(const char* name) {
  int port = 0;
  if (!absl::SimpleAtoi(Require(name), &port) || port <= 0 || port > 65535) {
    std::fprintf(stderr, "FATAL: %s is not a port\n", name);
    std::abort();
  }
  return port;
}

}  // namespace

TestMysql MysqlFromEnv() {
  TestMysql m;
  m.host = Require("CRM_TEST_MYSQL_HOST");
  m.port = RequirePort("CRM_TEST_MYSQL_PORT");
  m.user = Require("CRM_TEST_MYSQL_USER");
  const char* pw = std::getenv("CRM_TEST_MYSQL_PASSWORD");
  m.password = pw ? pw : "";
  return m;
}

TestRedis RedisFromEnv() {
  TestRedis r;
  r.host = Require("CRM_TEST_REDIS_HOST");
  r.port = RequirePort("CRM_TEST_REDIS_PORT");
  return r;
}

void RestartMysql() {
  const std::string cmd = Require("CRM_TEST_MYSQL_RESTART");
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "FATAL: restart command failed: %s\n", cmd.c_str());
    std::abort();
  }
}

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const uint32_t salt = std::random_device{}();
  return absl::StrCat(prefix, "_", getpid(), "_", counter.fetch_add(1), "_",
                      salt % 100000);
}

std::string BuildDir() { return Require("CRM_TEST_BUILD_DIR"); }

}  // namespace crm::testing
