// The gateway's rate limits, counted in Redis (common/redis RateLimiter,
// fixed windows) so every gateway replica shares them.
//
//   per IP        every /v1 call without a token, by client address
//   per user      every call carrying a valid token, by its subject (not
//                 per IP too: a sales office behind one NAT address would
//                 otherwise share one budget)
//   login         POST /v1/login and identity Login/RefreshToken, per IP
//   public leads  POST /v1/public/leads, per IP (strict)
//
// When Redis cannot be reached the gateway lets the request through and
// logs a warning: the limits protect the backends from abuse, and refusing
// all traffic because Redis blinked would be worse (ADR 0042).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/redis/rate_limiter.h"
#include "common/redis/redis_pool.h"

namespace crm::gateway {

struct RateLimitSettings {
  int64_t per_ip = 1200;             // per minute
  int64_t per_user = 600;            // per minute
  int64_t login_per_ip = 30;         // per minute
  int64_t public_leads_per_ip = 10;  // per hour
  absl::Duration window = absl::Minutes(1);
  absl::Duration public_window = absl::Hours(1);
};

enum class LimitKind { kIp, kUser, kLogin, kPublicLeads };

struct LimitResult {
  bool allowed = true;
  // Whole seconds, at least 1, when denied (for Retry-After).
  int64_t retry_after_seconds = 0;
};

class GatewayRateLimiter {
 public:
  // `pool` may be null (no limits, for tools); it must outlive this object.
  GatewayRateLimiter(redis::RedisPool* pool, RateLimitSettings settings);

  // Counts one hit for `subject` (an IP or a user id) under `kind`.
  LimitResult Check(LimitKind kind, std::string_view subject);

  const RateLimitSettings& settings() const { return settings_; }

 private:
  redis::RedisPool* pool_;
  RateLimitSettings settings_;
  redis::RateLimiter limiter_;
};

}  // namespace crm::gateway
