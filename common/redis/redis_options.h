// Where and how to reach Redis, read from start-up configuration.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/config/config.h"

namespace crm::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Sent with AUTH after connecting when non-empty. Never logged.
  std::string password;
  int db = 0;
  // Upper bound on open connections; one blocking stream read holds one.
  int pool_size = 8;
  absl::Duration connect_timeout = absl::Seconds(2);
  // Socket read/write timeout of every command, and also how long Command()
  // waits for a free connection when the pool is exhausted.
  absl::Duration command_timeout = absl::Seconds(2);
  // Prepended to every key the helpers touch, so several suites (or tests)
  // can share one Redis without seeing each other's keys.
  std::string key_prefix = "crm:";

  // Reads redis_host, redis_port, redis_password (secret), redis_db,
  // redis_pool_size, redis_connect_timeout, redis_command_timeout and
  // redis_key_prefix. Bad values are reported by reader.Finish(), like every
  // other setting, so an operator sees all problems at once.
  static RedisOptions Read(ConfigReader& reader);

  // Checks what the reader cannot express (positive timeouts, non-empty
  // host). RedisPool::Create calls it; INVALID_ARGUMENT names the setting.
  absl::Status Validate() const;
};

}  // namespace crm::redis
