// Tickets' own settings (on top of the server, db, redis and token ones).
#pragma once

#include <string>

#include "common/config/config.h"
#include "services/tickets/tickets_sla_job.h"

namespace crm::tickets {

struct TicketsSettings {
  SlaJobOptions sla;
  std::string accounts_addr = "127.0.0.1:50053";
  std::string orders_addr = "127.0.0.1:50055";

  // accounts_addr (CRM_ACCOUNTS_ADDR), orders_addr (CRM_ORDERS_ADDR),
  // sla_interval.
  static TicketsSettings Read(ConfigReader& config);
};

}  // namespace crm::tickets
