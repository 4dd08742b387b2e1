// A fixed-window rate limiter: at most `limit` hits per key per window.
//
// One Lua script increments the window's counter and, on the first hit,
// sets its expiry, atomically, so a crash between the two can never leave a
// counter that never expires. Fixed windows allow up to 2x limit across a
// window boundary; that is fine for abuse protection (logins, imports),
// which is what this is for.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_pool.h"

namespace crm::redis {

struct RateLimitDecision {
  bool allowed = false;
  // Hits still allowed in this window after this one.
  int64_t remaining = 0;
  // When denied: time until the window resets. Zero when allowed.
  absl::Duration retry_after = absl::ZeroDuration();
};

// KEYS[1] counter, ARGV[1] window in ms; returns {count, pttl ms}. A counter
// left without a ttl (which the script itself never does) is given one, so a
// key can never lock a caller out for good.
inline constexpr std::string_view kRateLimitScript =
    "local n = redis.call('incr', KEYS[1]) "
    "if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end "
    "local ttl = redis.call('pttl', KEYS[1]) "
    "if ttl < 0 then redis.call('pexpire', KEYS[1], ARGV[1]) "
    "ttl = tonumber(ARGV[1]) end "
    "return {n, ttl}";

class RateLimiter {
 public:
  // `pool` must outlive this object.
  explicit RateLimiter(RedisPool* pool) : pool_(pool) {}

  // Counts one hit on `key` (prefixed with the pool's key prefix; include
  // the subject, e.g. "rl:login:<user>"). INVALID_ARGUMENT for limit < 1 or
  // window < 1ms. Denied hits are counted too, so hammering does not help.
  absl::StatusOr<RateLimitDecision> Allow(std::string_view key, int64_t limit,
                                          absl::Duration window);

 private:
  RedisPool* pool_;
};

}  // namespace crm::redis
