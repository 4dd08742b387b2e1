// Progress of ConvertLead sagas (lead_conversions): which steps are done
// and the ids they produced, so a retry after a crash or a downstream
// failure resumes where the last attempt stopped.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/leads/store/records.h"

namespace crm::leads {

// Steps in order; a saga's `step` is the last one completed. kOpportunity
// is recorded only when the conversion creates an opportunity.
enum class ConvertStep {
  kStarted = 0,
  kAccount = 1,
  kContact = 2,
  kOpportunity = 3,
  kDone = 9
};

struct ConversionRecord {
  int64_t lead_id = 0;
  ConvertStep step = ConvertStep::kStarted;
  int64_t account_id = 0;
  bool account_created = false;
  int64_t contact_id = 0;
  int64_t opportunity_id = 0;
};

class ConversionStore {
 public:
  ConversionStore(std::shared_ptr<db::ConnectionPool> pool,
                  std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // The lead's saga, started (step kStarted) if it has none.
  absl::StatusOr<ConversionRecord> Start(int64_t lead_id, int64_t actor_id);
  absl::Status SaveAccount(int64_t lead_id, int64_t account_id, bool created);
  absl::Status SaveContact(int64_t lead_id, int64_t contact_id);
  absl::Status SaveOpportunity(int64_t lead_id, int64_t opportunity_id);
  // Last step, one transaction: the lead becomes CONVERTED with the ids
  // (its dedup keys are released), CONVERT history, LeadConverted event,
  // saga kDone. A lead already CONVERTED is returned as it is.
  absl::StatusOr<LeadRecord> Finish(int64_t lead_id, int64_t actor_id);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::leads
