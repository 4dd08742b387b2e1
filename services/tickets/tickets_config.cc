#include "services/tickets/tickets_config.h"

namespace crm::tickets {

TicketsSettings TicketsSettings::Read(ConfigReader& config) {
  TicketsSettings s;
  s.accounts_addr = config.String("accounts_addr", s.accounts_addr);
  s.orders_addr = config.String("orders_addr", s.orders_addr);
  s.sla.interval = config.Duration("sla_interval", s.sla.interval);
  return s;
}

}  // namespace crm::tickets
