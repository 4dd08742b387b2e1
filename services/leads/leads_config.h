// Leads' own settings (on top of the server, db, redis and token ones).
#pragma once

#include <string>

#include "common/config/config.h"
#include "services/leads/leads_service.h"

namespace crm::leads {

struct LeadsSettings {
  LeadsConfig service;
  std::string identity_addr = "127.0.0.1:50051";
  std::string accounts_addr = "127.0.0.1:50053";
  std::string opportunities_addr = "127.0.0.1:50054";
  absl::Duration recycle_interval = absl::Minutes(10);

  // identity_addr, accounts_addr, opportunities_addr, recycle_after (e.g.
  // "48h"), recycle_interval, claim_lock_ttl, account_check_concurrency,
  // score_weight_{completeness,channel,region,company,engagement},
  // score_priority_regions / score_priority_industries (comma lists).
  static LeadsSettings Read(ConfigReader& config);
};

}  // namespace crm::leads
