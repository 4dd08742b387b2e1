// Audit entries for opportunities (issue 10): one call inside the
// transaction of each write (create, update, stage move, won, lost,
// reopen). See common/audit/audit.h.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "services/opportunities/store/records.h"

namespace crm::opportunities {

absl::Status AuditOpportunity(db::Connection& c, const std::string& action,
                              const OpportunityRecord* before,
                              const OpportunityRecord* after, absl::Time now,
                              const std::string& note = "");

}  // namespace crm::opportunities
