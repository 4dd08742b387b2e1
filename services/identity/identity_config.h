// Identity's own settings (on top of the server, db and token settings).
#pragma once

#include <string>

#include "common/config/config.h"
#include "services/identity/sessions.h"

namespace crm::identity {

struct IdentityConfig {
  SessionConfig sessions;
  std::string bootstrap_company_name = "Company";
  std::string bootstrap_admin_username;  // empty: no bootstrap
  std::string bootstrap_admin_password;

  // access_token_ttl, refresh_token_ttl, password_hash_ops,
  // password_hash_mem_kib, max_failed_logins, lockout_duration,
  // bootstrap_company_name, bootstrap_admin_username, bootstrap_admin_password.
  static IdentityConfig Read(ConfigReader& config);
};

}  // namespace crm::identity
