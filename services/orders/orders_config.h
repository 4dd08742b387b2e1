// Orders' own settings (on top of the server, db, redis and token ones).
#pragma once

#include <string>

#include "common/config/config.h"
#include "services/orders/orders_overdue_job.h"
#include "services/orders/orders_service.h"

namespace crm::orders {

struct OrdersSettings {
  OrdersConfig service;
  OverdueJobOptions overdue;
  std::string accounts_addr = "127.0.0.1:50053";

  // accounts_addr (CRM_ACCOUNTS_ADDR), overdue_interval.
  static OrdersSettings Read(ConfigReader& config);
};

}  // namespace crm::orders
