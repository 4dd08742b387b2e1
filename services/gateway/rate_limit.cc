#include "services/gateway/rate_limit.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace crm::gateway {

GatewayRateLimiter::GatewayRateLimiter(redis::RedisPool* pool,
                                       RateLimitSettings settings)
    : pool_(pool), settings_(settings), limiter_(pool) {}

LimitResult GatewayRateLimiter::Check(LimitKind kind,
                                      std::string_view subject) {
  if (pool_ == nullptr) return {};
  std::string key;
  int64_t limit = 0;
  absl::Duration window = settings_.window;
  switch (kind) {
    case LimitKind::kIp:
      key = absl::StrCat("gw:rl:ip:", std::string(subject));
      limit = settings_.per_ip;
      break;
    case LimitKind::kUser:
      key = absl::StrCat("gw:rl:user:", std::string(subject));
      limit = settings_.per_user;
      break;
    case LimitKind::kLogin:
      key = absl::StrCat("gw:rl:login:", std::string(subject));
      limit = settings_.login_per_ip;
      break;
    case LimitKind::kPublicLeads:
      key = absl::StrCat("gw:rl:public:", std::string(subject));
      limit = settings_.public_leads_per_ip;
      window = settings_.public_window;
      break;
  }
  absl::StatusOr<redis::RateLimitDecision> d =
      limiter_.Allow(key, limit, window);
  if (!d.ok()) {
    log::Warn("rate limiter unavailable, allowing request",
              {{"error", d.status().ToString()}});
    return {};
  }
  if (d->allowed) return {};
  LimitResult r;
  r.allowed = false;
  r.retry_after_seconds = std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(d->retry_after, absl::Seconds(1))));
  return r;
}

}  // namespace crm::gateway
