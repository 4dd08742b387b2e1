// SQL of the stale check: open opportunities idle since a time, and the
// once-per-period alert (stale_alerted_for + OpportunityStale outbox row
// in one transaction).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/opportunities/store/records.h"

namespace crm::opportunities {

class StaleStore {
 public:
  StaleStore(std::shared_ptr<db::ConnectionPool> pool,
             std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Open opportunities of the pipeline with last_activity_at <= idle_since
  // not yet alerted for that activity, id > after_id, by id.
  absl::StatusOr<std::vector<OpportunityRecord>> Candidates(
      int64_t pipeline_id, absl::Time idle_since, int64_t after_id, int limit);

  // Records the alert for `o.last_activity_at` and appends the event, only
  // if the row is still open, still idle since then and not yet alerted;
  // returns whether it did.
  absl::StatusOr<bool> Alert(const OpportunityRecord& o,
                             const nlohmann::json& payload);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::opportunities
