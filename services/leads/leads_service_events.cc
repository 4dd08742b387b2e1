#include "services/leads/leads_service_events.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/events/payload.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/leads/store/pool_store.h"

namespace crm::leads {

namespace {

absl::Status OnIdentity(PoolStore& pools, client::ManagerLookup* managers,
                        const events::Event& e, db::Connection& tx) {
  if (e.type != "UserDeactivated") return absl::OkStatus();
  std::optional<int64_t> user = events::IntField(e.payload, "user_id");
  std::optional<std::string> path = events::StringField(e.payload, "org_path");
  if (!user.has_value() || *user <= 0 || !path.has_value() ||
      path->size() < 3 || path->front() != '/' || path->back() != '/') {
    log::Warn("leads: event skipped",
              {{"event_id", e.event_id},
               {"type", e.type},
               {"reason", "user_id and org_path required"}});
    return absl::OkStatus();
  }
  int64_t manager = 0;  // for the log: 0 = back to the pool
  // Identity is asked only when there is a lead to hand over.
  auto successor = [&]() -> absl::StatusOr<std::optional<Owner>> {
    if (managers == nullptr) return std::optional<Owner>();
    ASSIGN_OR_RETURN(std::optional<client::Manager> m,
                     managers->NearestManager(*path, *user));
    if (!m.has_value()) return std::optional<Owner>();
    manager = m->user_id;
    return std::optional<Owner>(Owner{m->user_id, m->org_path});
  };
  ASSIGN_OR_RETURN(
      int64_t moved,
      pools.HandOverOwnedOn(tx, *user, successor,
                            absl::StrCat("owner ", *user, " was deactivated")));
  if (moved == 0) return absl::OkStatus();
  log::Info("leads: owner deactivated, open leads handed over",
            {{"user", *user},
             {"to_manager", manager},
             {"moved", moved},
             {"event_id", e.event_id}});
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<events::StreamConsumer> NewLeadsEventConsumer(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, client::ManagerLookup* managers,
    std::string consumer_name) {
  auto pools = std::make_shared<PoolStore>(pool, clock);
  return std::make_unique<events::StreamConsumer>(
      std::move(pool), redis,
      events::ConsumerOptionsFor("identity", kEventsGroup,
                                 std::move(consumer_name)),
      [pools, managers](const events::Event& e, db::Connection& tx) {
        return OnIdentity(*pools, managers, e, tx);
      },
      std::move(clock));
}

}  // namespace crm::leads
