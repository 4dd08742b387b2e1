// The write shared by GrabTicket, AssignTicket, AutoAssign and the status
// handlers: a history row and, for assignments, the TicketAssigned event.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/db/connection.h"
#include "services/tickets/store/records.h"

namespace crm::tickets {

// History "assigned" + outbox TicketAssigned {ticket_id, assignee_id,
// previous_assignee_id, group_id, actor_id, mode: grab|manual|auto}.
absl::Status RecordAssignment(db::Connection& c, const TicketRecord& r,
                              int64_t previous, int64_t actor_id,
                              const std::string& mode, absl::Time now);

}  // namespace crm::tickets
