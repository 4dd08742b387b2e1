#include "services/identity/identity_config.h"

#include <sodium.h>

namespace crm::identity {

IdentityConfig IdentityConfig::Read(ConfigReader& config) {
  IdentityConfig c;
  SessionConfig& s = c.sessions;
  s.access_ttl = config.Duration("access_token_ttl", s.access_ttl);
  s.refresh_ttl = config.Duration("refresh_token_ttl", s.refresh_ttl);
  s.password_cost.ops = static_cast<unsigned long long>(
      config.Int("password_hash_ops", static_cast<int64_t>(s.password_cost.ops),
                 crypto_pwhash_OPSLIMIT_MIN, 20));
  s.password_cost.mem_bytes =
      static_cast<size_t>(
          config.Int("password_hash_mem_kib",
                     static_cast<int64_t>(s.password_cost.mem_bytes / 1024),
                     crypto_pwhash_MEMLIMIT_MIN / 1024, 1 << 20)) *
      1024;
  s.login_policy.max_failed_logins = static_cast<int>(config.Int(
      "max_failed_logins", s.login_policy.max_failed_logins, 1, 100));
  s.login_policy.lockout =
      config.Duration("lockout_duration", s.login_policy.lockout);
  c.bootstrap_company_name =
      config.String("bootstrap_company_name", c.bootstrap_company_name);
  c.bootstrap_admin_username = config.String("bootstrap_admin_username", "");
  c.bootstrap_admin_password = config.Secret("bootstrap_admin_password", "");
  return c;
}

}  // namespace crm::identity
