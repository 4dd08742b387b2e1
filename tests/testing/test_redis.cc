#include "tests/testing/test_redis.h"

#include <cstdio>
#include <cstdlib>

#include "tests/testing/test_env.h"

namespace crm::testing {

redis::RedisOptions TestRedisOptions(const std::string& prefix, int pool_size) {
  const TestRedis redis = RedisFromEnv();
  redis::RedisOptions o;
  o.host = redis.host;
  o.port = redis.port;
  o.pool_size = pool_size;
  o.key_prefix = UniqueName(prefix) + ":";
  return o;
}

TestRedisPool::TestRedisPool(const std::string& prefix, int pool_size) {
  auto pool = redis::RedisPool::Create(TestRedisOptions(prefix, pool_size));
  if (!pool.ok()) {
    std::fprintf(stderr, "FATAL: test Redis pool: %s\n",
                 pool.status().ToString().c_str());
    std::abort();
  }
  pool_ = *std::move(pool);
}

TestRedisPool::~TestRedisPool() {
  // KEYS is fine on a test server holding a few hundred keys.
  pool_
      ->Command({"EVAL",
                 "for _, k in ipairs(redis.call('keys', ARGV[1])) do "
                 "redis.call('del', k) end return 0",
                 "0", pool_->Key("*")})
      .IgnoreError();
}

}  // namespace crm::testing
