#include "services/tickets/tickets_assignment.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "services/tickets/store/history_store.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {

absl::Status RecordAssignment(db::Connection& c, const TicketRecord& r,
                              int64_t previous, int64_t actor_id,
                              const std::string& mode, absl::Time now) {
  const int64_t assignee = r.assignee_id.value_or(0);
  RETURN_IF_ERROR(history_store::Append(
      c, {0, r.id, actor_id, "assigned",
          absl::StrCat(mode, ": ", previous, " -> ", assignee), now}));
  nlohmann::json payload = {{"ticket_id", r.id},
                            {"assignee_id", assignee},
                            {"previous_assignee_id", previous},
                            {"group_id", r.group_id},
                            {"actor_id", actor_id},
                            {"mode", mode}};
  return events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                "TicketAssigned", absl::StrCat(r.id), payload,
                                now)
      .status();
}

}  // namespace crm::tickets
