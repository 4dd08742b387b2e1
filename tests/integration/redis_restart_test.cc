// The pool survives a Redis restart. The shared test Redis must not be
// restarted under other tests, so this test runs a private redis-server (the
// same binary `deploy/crmctl test` uses) on a free loopback port.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/redis/lock.h"
#include "common/redis/redis_pool.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace crm::redis {
namespace {

int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// A private, memory-only redis-server child process; stopped on destruction.
class RedisProcess {
 public:
  explicit RedisProcess(int port) : port_(port) {}
  ~RedisProcess() { Stop(); }

  // Starts the server and waits until it answers PING.
  void Start() {
    std::vector<std::string> args = {
        "redis-server", "--port", absl::StrCat(port_), "--bind", "127.0.0.1",
        "--save",       "",       "--appendonly",      "no"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its start-up banner and warnings would drown the test output.
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null",
                                     O_WRONLY, 0);
    const int spawned = posix_spawnp(&pid_, "redis-server", &quiet, nullptr,
                                     argv.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    ASSERT_EQ(spawned, 0)
        << "redis-server must be installed (deploy/crmctl deps)";
    RedisOptions o;
    o.port = port_;
    o.pool_size = 1;
    absl::StatusOr<std::unique_ptr<RedisPool>> probe = RedisPool::Create(o);
    ASSERT_TRUE(probe.ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!(*probe)->Command({"PING"}).ok()) {
      ASSERT_LT(absl::Now(), deadline) << "redis-server did not start";
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  // SIGKILL, so clients see their connections reset as in a crash.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  const int port_;
  pid_t pid_ = -1;
};

TEST(RedisRestartTest, PoolRecoversAfterRedisRestarts) {
  const int port = UnusedPort();
  RedisProcess server(port);
  ASSERT_NO_FATAL_FAILURE(server.Start());

  RedisOptions o;
  o.port = port;
  o.pool_size = 3;
  o.key_prefix = crm::testing::UniqueName("redis_restart") + ":";
  absl::StatusOr<std::unique_ptr<RedisPool>> created = RedisPool::Create(o);
  ASSERT_TRUE(created.ok()) << created.status();
  RedisPool& pool = **created;
  {
    // Fill the pool with idle connections that the crash will leave dead.
    std::vector<RedisPool::Lease> leases;
    for (int i = 0; i < o.pool_size; ++i) {
      absl::StatusOr<RedisPool::Lease> lease = pool.Borrow(absl::Seconds(1));
      ASSERT_TRUE(lease.ok()) << lease.status();
      ASSERT_TRUE(lease->Command({"PING"}).ok());
      leases.push_back(*std::move(lease));
    }
  }
  ASSERT_EQ(pool.stats().idle, o.pool_size);
  DistributedLock locks(&pool);
  absl::StatusOr<std::optional<LockHandle>> held =
      locks.TryAcquire("leader", absl::Seconds(30));
  ASSERT_TRUE(held.ok() && held->has_value());

  server.Stop();
  // While Redis is down: UNAVAILABLE, promptly, with no slot leaked.
  for (int i = 0; i < 2 * o.pool_size; ++i) {
    absl::StatusOr<Reply> ping = pool.Command({"PING"});
    EXPECT_EQ(ping.status().code(), absl::StatusCode::kUnavailable)
        << ping.status();
  }
  EXPECT_EQ(pool.stats().open, 0);
  absl::StatusOr<bool> released = (*held)->Release();
  EXPECT_EQ(released.status().code(), absl::StatusCode::kUnavailable);

  ASSERT_NO_FATAL_FAILURE(server.Start());
  // The very first command after the restart succeeds.
  absl::StatusOr<Reply> ping = pool.Command({"PING"});
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(*ping, Reply::Status("PONG"));
  // The restarted server is empty (no persistence), so the lock is free.
  absl::StatusOr<std::optional<LockHandle>> again =
      locks.TryAcquire("leader", absl::Seconds(30));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->has_value());
}

}  // namespace
}  // namespace crm::redis
