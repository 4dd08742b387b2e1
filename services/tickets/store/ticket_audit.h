// Audit entries for tickets (issue 10). Every ticket write already appends
// a ticket_history row (created, assigned, status, reopened, sla_*...);
// history_store::Append calls AuditTicket in the same transaction, so each
// of them is also in the suite-wide audit log with its actor and request
// id. See common/audit/audit.h.
#pragma once

#include "absl/status/status.h"
#include "common/db/connection.h"
#include "services/tickets/store/records.h"

namespace crm::tickets {

absl::Status AuditTicket(db::Connection& c, const HistoryRecord& h);

}  // namespace crm::tickets
