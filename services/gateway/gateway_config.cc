#include "services/gateway/gateway_config.h"

#ifndef CRM_GATEWAY_WEB_DIR
#define CRM_GATEWAY_WEB_DIR "services/gateway/web"
#endif

namespace crm::gateway {

std::string DefaultWebDir() { return CRM_GATEWAY_WEB_DIR; }

GatewaySettings GatewaySettings::Read(ConfigReader& config) {
  GatewaySettings s;
  s.listen = config.String("listen", s.listen);
  const std::pair<const char*, const char*> kBackends[] = {
      {"identity", "127.0.0.1:50051"}, {"leads", "127.0.0.1:50052"},
      {"accounts", "127.0.0.1:50053"}, {"opportunities", "127.0.0.1:50054"},
      {"orders", "127.0.0.1:50055"},   {"tickets", "127.0.0.1:50056"},
  };
  for (const auto& [svc, def] : kBackends) {
    s.backends[std::string("crm.") + svc + ".v1"] =
        config.String(std::string(svc) + "_addr", def);
  }
  // The message center is served by the accounts process (issue 10).
  s.backends["crm.messages.v1"] = s.backends["crm.accounts.v1"];
  s.cors_origins = config.String("cors_origins", "");
  s.max_body_bytes =
      config.Int("max_body_bytes", s.max_body_bytes, 1024, 64 << 20);
  s.default_timeout = config.Duration("default_timeout", s.default_timeout);
  s.max_timeout = config.Duration("max_timeout", s.max_timeout);
  s.limits.per_ip =
      config.Int("rate_limit_per_ip", s.limits.per_ip, 1, 1000000);
  s.limits.per_user =
      config.Int("rate_limit_per_user", s.limits.per_user, 1, 1000000);
  s.limits.login_per_ip =
      config.Int("rate_limit_login_per_ip", s.limits.login_per_ip, 1, 1000000);
  s.limits.public_leads_per_ip =
      config.Int("rate_limit_public_leads_per_ip", s.limits.public_leads_per_ip,
                 1, 1000000);
  s.web_dir = config.String("web_dir", s.web_dir);
  s.public_campaign_keys = config.String("public_campaign_keys", "");
  s.http_threads =
      static_cast<int>(config.Int("http_threads", s.http_threads, 2, 1024));
  s.trust_forwarded_for = config.Bool("trust_forwarded_for", false);
  return s;
}

}  // namespace crm::gateway
