// Accounts' own settings (on top of the server, db, redis and token ones).
#pragma once

#include <string>

#include "common/config/config.h"
#include "services/accounts/accounts_service.h"

namespace crm::accounts {

struct AccountsSettings {
  AccountsConfig service;
  std::string identity_addr = "127.0.0.1:50051";
  // Where a deactivated rep's accounts go: "pool" or "manager".
  std::string deactivated_accounts_to = "pool";

  // identity_addr, default_daily_claim_limit, default_cooldown_days,
  // default_private_capacity, default_capacity_counts_signed,
  // default_locked_capacity, claim_lock_ttl, deactivated_accounts_to,
  // visit_radius_m, visit_max_speed_kmh, visit_work_hours, visit_work_days.
  static AccountsSettings Read(ConfigReader& config);
};

}  // namespace crm::accounts
