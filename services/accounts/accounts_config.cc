#include "services/accounts/accounts_config.h"

namespace crm::accounts {

AccountsSettings AccountsSettings::Read(ConfigReader& config) {
  AccountsSettings s;
  ClaimRules& r = s.service.default_claim_rules;
  s.identity_addr = config.String("identity_addr", s.identity_addr);
  r.daily_claim_limit = static_cast<int>(
      config.Int("default_daily_claim_limit", r.daily_claim_limit, 0, 10000));
  r.former_owner_cooldown_days = static_cast<int>(config.Int(
      "default_cooldown_days", r.former_owner_cooldown_days, 0, 3650));
  r.private_capacity = static_cast<int>(
      config.Int("default_private_capacity", r.private_capacity, 0, 1000000));
  r.capacity_counts_signed =
      config.Bool("default_capacity_counts_signed", r.capacity_counts_signed);
  r.locked_capacity = static_cast<int>(
      config.Int("default_locked_capacity", r.locked_capacity, 0, 1000000));
  s.deactivated_accounts_to =
      config.OneOf("deactivated_accounts_to", s.deactivated_accounts_to,
                   {"pool", "manager"});
  VisitPolicy& v = s.service.visit_policy;
  v.radius_m = static_cast<double>(config.Int(
      "visit_radius_m", static_cast<int64_t>(v.radius_m), 10, 100000));
  v.max_speed_kmh = static_cast<double>(config.Int(
      "visit_max_speed_kmh", static_cast<int64_t>(v.max_speed_kmh), 10, 2000));
  const std::string hours = config.String("visit_work_hours", "08:00-20:00");
  if (absl::Status st = ParseWorkHours(hours, "visit_work_hours", &v); !st.ok())
    config.AddError(std::string(st.message()));
  const std::string days = config.String("visit_work_days", "Mon-Sat");
  if (absl::Status st = ParseWorkDays(days, "visit_work_days", &v); !st.ok())
    config.AddError(std::string(st.message()));
  s.service.claim_lock_ttl =
      config.Duration("claim_lock_ttl", s.service.claim_lock_ttl);
  return s;
}

}  // namespace crm::accounts
