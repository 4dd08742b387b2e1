#include "services/opportunities/opportunities_config.h"

namespace crm::opportunities {

OpportunitiesSettings OpportunitiesSettings::Read(ConfigReader& config) {
  OpportunitiesSettings s;
  s.accounts_addr = config.String("accounts_addr", s.accounts_addr);
  s.orders_addr = config.String("orders_addr", s.orders_addr);
  s.identity_addr = config.String("identity_addr", s.identity_addr);
  s.service.default_stale_days = static_cast<int>(
      config.Int("default_stale_days", s.service.default_stale_days, 1, 3650));
  s.service.commit_threshold_bp = static_cast<int>(config.Int(
      "commit_threshold_bp", s.service.commit_threshold_bp, 0, 10000));
  s.stale.interval = config.Duration("stale_check_interval", s.stale.interval);
  s.stale.default_stale_days = s.service.default_stale_days;
  return s;
}

}  // namespace crm::opportunities
