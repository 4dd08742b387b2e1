#include "services/opportunities/store/stale_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "services/opportunities/domain/event_payloads.h"
#include "services/opportunities/store/opportunity_store.h"

namespace crm::opportunities {

absl::StatusOr<std::vector<OpportunityRecord>> StaleStore::Candidates(
    int64_t pipeline_id, absl::Time idle_since, int64_t after_id, int limit) {
  std::vector<OpportunityRecord> out;
  RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(
        db::Rows rows,
        c.Query(absl::StrCat(
                    "SELECT ", kOpportunityColumns,
                    " FROM opportunities o WHERE o.pipeline_id = ? AND "
                    "o.status = 1 AND o.last_activity_at <= ? AND "
                    "(o.stale_alerted_for IS NULL OR o.stale_alerted_for <> "
                    "o.last_activity_at) AND o.id > ? ORDER BY o.id LIMIT ?"),
                {pipeline_id, idle_since, after_id, limit}));
    out.clear();
    for (const db::Row& r : rows) out.push_back(OpportunityFromRow(r));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<bool> StaleStore::Alert(const OpportunityRecord& o,
                                       const nlohmann::json& payload) {
  return db::RunInTransactionFor<bool>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<bool> {
        ASSIGN_OR_RETURN(
            int64_t n,
            c.Exec("UPDATE opportunities SET stale_alerted_for = "
                   "last_activity_at WHERE id = ? AND status = 1 AND "
                   "last_activity_at = ? AND (stale_alerted_for IS NULL OR "
                   "stale_alerted_for <> last_activity_at)",
                   {o.id, o.last_activity_at}));
        if (n == 0) return false;
        RETURN_IF_ERROR(
            events::AppendToOutbox(c, events::StreamFor(kOpportunitiesService),
                                   kEventStale, absl::StrCat(o.id), payload,
                                   clock_->Now())
                .status());
        return true;
      });
}

}  // namespace crm::opportunities
