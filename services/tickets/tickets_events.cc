#include "services/tickets/tickets_events.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/events/payload.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/tickets/domain/status_rules.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/store/history_store.h"
#include "services/tickets/store/ticket_store.h"

namespace crm::tickets {

namespace {

absl::Status OnIdentity(const Clock& clock, const events::Event& e,
                        db::Connection& tx) {
  if (e.type != "UserDeactivated") return absl::OkStatus();
  std::optional<int64_t> user = events::IntField(e.payload, "user_id");
  if (!user.has_value() || *user <= 0) {
    log::Warn("tickets: event skipped",
              {{"event_id", e.event_id},
               {"type", e.type},
               {"reason", "user_id: required, a positive integer"}});
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(int64_t groups,
                   config_store::DeactivateAgentEverywhere(tx, *user));
  ASSIGN_OR_RETURN(std::vector<int64_t> open,
                   ticket_store::OpenAssignedTo(tx, *user));
  const absl::Time now = clock.Now();
  int64_t unassigned = 0;
  for (int64_t id : open) {
    ASSIGN_OR_RETURN(TicketRecord r, ticket_store::Get(tx, id, true));
    if (r.assignee_id != *user) continue;
    // Not worked yet: back to the queue. Worked: its status and SLA clocks
    // stay as they are (a paused wait stays paused).
    if (r.status == static_cast<int>(Status::kAssigned))
      r.status = static_cast<int>(Status::kNew);
    r.assignee_id.reset();
    r.updated_at = now;
    RETURN_IF_ERROR(ticket_store::UpdateState(tx, r));
    RETURN_IF_ERROR(history_store::Append(
        tx, {0, r.id, 0, "unassigned",
             absl::StrCat("agent ", *user, " was deactivated"), now}));
    ++unassigned;
  }
  if (groups > 0 || unassigned > 0) {
    log::Info("tickets: agent deactivated", {{"user", *user},
                                             {"groups", groups},
                                             {"unassigned", unassigned},
                                             {"event_id", e.event_id}});
  }
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<events::StreamConsumer> NewTicketsEventConsumer(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, std::string consumer_name) {
  return std::make_unique<events::StreamConsumer>(
      std::move(pool), redis,
      events::ConsumerOptionsFor("identity", kEventsGroup,
                                 std::move(consumer_name)),
      [clock](const events::Event& e, db::Connection& tx) {
        return OnIdentity(*clock, e, tx);
      },
      clock);
}

}  // namespace crm::tickets
