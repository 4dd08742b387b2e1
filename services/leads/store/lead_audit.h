// Audit entries for leads (issue 10): one call inside the transaction of
// each write (create, update, status, assign, convert). See
// common/audit/audit.h.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/db/connection.h"
#include "services/leads/store/records.h"

namespace crm::leads {

// Appends the diff of `before` -> `after` (either may be null) for the lead,
// with the actor of the current audit::ActorScope.
absl::Status AuditLead(db::Connection& c, const std::string& action,
                       const LeadRecord* before, const LeadRecord* after,
                       absl::Time now, const std::string& note = "");
// The same entry, for audit::AppendMany (batch writes).
audit::AuditEntry LeadAuditEntry(const std::string& action,
                                 const LeadRecord* before,
                                 const LeadRecord* after, absl::Time now,
                                 const std::string& note = "");

}  // namespace crm::leads
