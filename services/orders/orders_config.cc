#include "services/orders/orders_config.h"

namespace crm::orders {

OrdersSettings OrdersSettings::Read(ConfigReader& config) {
  OrdersSettings s;
  s.accounts_addr = config.String("accounts_addr", s.accounts_addr);
  s.overdue.interval = config.Duration("overdue_interval", s.overdue.interval);
  return s;
}

}  // namespace crm::orders
