#include "tests/testing/fault_env.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/redis/redis_pool.h"
#include "tests/testing/test_env.h"

namespace crm::testing {

int FaultScale() {
  const char* load = std::getenv("CRM_FAULT_LOAD");
  return load != nullptr && std::string(load) == "heavy" ? 4 : 1;
}

void KillAndRestartMysql(absl::Duration down) {
  const char* restart = std::getenv("CRM_TEST_MYSQL_RESTART");
  if (restart == nullptr || *restart == '\0') {
    std::fprintf(stderr,
                 "FATAL: CRM_TEST_MYSQL_RESTART is not set (run the fault "
                 "tests with deploy/crmctl test or bench --faults)\n");
    std::abort();
  }
  const std::string cmd =
      absl::StrCat(restart, " --kill ", absl::ToInt64Seconds(down), " >&2");
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "FATAL: %s failed\n", cmd.c_str());
    std::abort();
  }
}

PrivateRedis::PrivateRedis(bool persistent)
    : persistent_(persistent),
      port_(FreePort()),
      dir_(absl::StrCat("/tmp/", UniqueName("fault_redis"))) {
  std::filesystem::create_directories(dir_);
}

PrivateRedis::~PrivateRedis() {
  Kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool PrivateRedis::Start() {
  std::vector<std::string> args = {"--port", absl::StrCat(port_),
                                   "--bind", "127.0.0.1",
                                   "--dir",  dir_,
                                   "--save", ""};
  if (persistent_) {
    args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else {
    args.insert(args.end(), {"--appendonly", "no"});
  }
  process_ = std::make_unique<Subprocess>("/usr/bin/redis-server", args,
                                          std::map<std::string, std::string>{},
                                          dir_ + ".log");
  if (!process_->Start()) return false;
  redis::RedisOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.pool_size = 1;
  auto probe = redis::RedisPool::Create(o);
  if (!probe.ok()) return false;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!(*probe)->Command({"PING"}).ok()) {
    if (absl::Now() > deadline) {
      std::fprintf(stderr, "redis-server did not start:\n%s\n",
                   process_->ReadLog().c_str());
      return false;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

void PrivateRedis::Kill(bool lose_data) {
  if (process_ != nullptr) process_->Stop(SIGKILL, absl::Seconds(10));
  process_.reset();
  if (lose_data) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ignored))
      std::filesystem::remove_all(entry.path(), ignored);
  }
}

void PrivateRedis::UseForHarnesses() const {
  setenv("CRM_TEST_REDIS_HOST", "127.0.0.1", 1);
  setenv("CRM_TEST_REDIS_PORT", absl::StrCat(port_).c_str(), 1);
}

}  // namespace crm::testing
