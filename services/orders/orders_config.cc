#include "services/orders/orders_config.h"

#include "common/clock/time_zone.h"

namespace crm::orders {

OrdersSettings OrdersSettings::Read(ConfigReader& config) {
  OrdersSettings s;
  s.accounts_addr = config.String("accounts_addr", s.accounts_addr);
  s.identity_addr = config.String("identity_addr", s.identity_addr);
  s.overdue.interval = config.Duration("overdue_interval", s.overdue.interval);
  s.business_time_zone =
      config.String("business_time_zone", s.business_time_zone);
  absl::StatusOr<BusinessTimeZone> zone =
      LoadBusinessTimeZone("business_time_zone", s.business_time_zone);
  if (!zone.ok()) {
    config.AddError(std::string(zone.status().message()));
  } else {
    s.time_zone_fallback = zone->fixed_fallback;
    s.service.calendar = BusinessCalendar(zone->zone);
    s.overdue.calendar = s.service.calendar;
  }
  return s;
}

}  // namespace crm::orders
