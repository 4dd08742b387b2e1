// Opportunities' own settings (on top of the server, db, redis and token
// ones).
#pragma once

#include <string>

#include "common/config/config.h"
#include "services/opportunities/opportunities_service.h"
#include "services/opportunities/opportunities_stale_job.h"

namespace crm::opportunities {

struct OpportunitiesSettings {
  OpportunitiesConfig service;
  StaleJobOptions stale;
  std::string accounts_addr = "127.0.0.1:50053";
  std::string identity_addr = "127.0.0.1:50051";
  // MarkWon's create_contract creates draft contracts there.
  std::string orders_addr = "127.0.0.1:50055";

  // accounts_addr, identity_addr, orders_addr, default_stale_days,
  // commit_threshold_bp, stale_check_interval.
  static OpportunitiesSettings Read(ConfigReader& config);
};

}  // namespace crm::opportunities
