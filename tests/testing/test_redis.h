// Redis for integration tests: the test server from `crmctl test`, with a key
// prefix unique to the test so tests can run in parallel; the prefix's keys
// are deleted when the TestRedisPool goes away.
#pragma once

#include <memory>
#include <string>

#include "common/redis/redis_options.h"
#include "common/redis/redis_pool.h"

namespace crm::testing {

// Options for the test Redis with key prefix "<UniqueName(prefix)>:".
redis::RedisOptions TestRedisOptions(const std::string& prefix,
                                     int pool_size = 8);

class TestRedisPool {
 public:
  explicit TestRedisPool(const std::string& prefix, int pool_size = 8);
  ~TestRedisPool();
  TestRedisPool(const TestRedisPool&) = delete;
  TestRedisPool& operator=(const TestRedisPool&) = delete;

  redis::RedisPool* get() const { return pool_.get(); }
  redis::RedisPool* operator->() const { return pool_.get(); }
  const redis::RedisOptions& options() const { return pool_->options(); }

 private:
  std::unique_ptr<redis::RedisPool> pool_;
};

}  // namespace crm::testing
