// The gateway's settings, from flags or CRM_* environment variables.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "common/config/config.h"
#include "services/gateway/rate_limit.h"

namespace crm::gateway {

// The source tree's services/gateway/web (compiled in).
std::string DefaultWebDir();

struct GatewaySettings {
  std::string listen = "0.0.0.0:8080";
  // Proto package -> backend address: identity_addr (crm.identity.v1),
  // accounts_addr, leads_addr, opportunities_addr, orders_addr,
  // tickets_addr; defaults 127.0.0.1:50051..50056.
  std::map<std::string, std::string> backends;
  // cors_origins: comma list of allowed browser origins, "*" for any.
  std::string cors_origins;
  // max_body_bytes: larger request bodies get 413.
  int64_t max_body_bytes = 1 << 20;
  // default_timeout: deadline of a backend call without a grpc-timeout
  // header; max_timeout caps what a client may ask for.
  absl::Duration default_timeout = absl::Seconds(10);
  absl::Duration max_timeout = absl::Seconds(60);
  RateLimitSettings limits;
  // web_dir: the dashboard's static files (defaults to the source tree's
  // services/gateway/web, compiled in).
  std::string web_dir = DefaultWebDir();
  // public_campaign_keys: comma list; empty lets leads judge the key.
  std::string public_campaign_keys;
  // http_threads: worker threads (each serves one connection at a time).
  int http_threads = 64;
  // trust_forwarded_for: take the client IP from X-Forwarded-For (only
  // behind a trusted proxy / ingress).
  bool trust_forwarded_for = false;

  // Reads everything above (the settings' names are given in the comments;
  // rate_limit_per_ip, rate_limit_per_user, rate_limit_login_per_ip per
  // minute, rate_limit_public_leads_per_ip per hour).
  static GatewaySettings Read(ConfigReader& config);
};

}  // namespace crm::gateway
