#include "common/redis/rate_limiter.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::redis {

absl::StatusOr<RateLimitDecision> RateLimiter::Allow(std::string_view key,
                                                     int64_t limit,
                                                     absl::Duration window) {
  if (limit < 1) return InvalidField("limit", "must be >= 1");
  const int64_t window_ms = absl::ToInt64Milliseconds(window);
  if (window_ms < 1) return InvalidField("window", "must be at least 1ms");
  ASSIGN_OR_RETURN(Reply reply,
                   pool_->Command({"EVAL", std::string(kRateLimitScript), "1",
                                   pool_->Key(key), absl::StrCat(window_ms)}));
  if (!reply.is_array() || reply.elements.size() != 2) {
    return absl::InternalError(absl::StrCat(
        "redis: unexpected rate limit reply ", reply.DebugString()));
  }
  ASSIGN_OR_RETURN(const int64_t count, reply.elements[0].AsInteger());
  ASSIGN_OR_RETURN(const int64_t ttl_ms, reply.elements[1].AsInteger());
  RateLimitDecision d;
  d.allowed = count <= limit;
  d.remaining = std::max<int64_t>(0, limit - count);
  if (!d.allowed) {
    // At least 1ms so "denied" never comes with "retry now".
    d.retry_after = absl::Milliseconds(std::max<int64_t>(1, ttl_ms));
  }
  return d;
}

}  // namespace crm::redis
