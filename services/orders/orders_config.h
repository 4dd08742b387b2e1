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

  std::string identity_addr = "127.0.0.1:50051";
  // business_time_zone as given, and whether tzdata lacked it and the
  // fixed-offset fallback is in use (main logs a warning).
  std::string business_time_zone = kDefaultBusinessTimeZone;
  bool time_zone_fallback = false;

  // accounts_addr (CRM_ACCOUNTS_ADDR), identity_addr (CRM_IDENTITY_ADDR),
  // overdue_interval, business_time_zone (CRM_BUSINESS_TIME_ZONE: an IANA
  // name or an offset like +08:00; default Asia/Shanghai, ADR 0035).
  static OrdersSettings Read(ConfigReader& config);
};

}  // namespace crm::orders
