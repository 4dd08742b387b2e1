// SQL of the review of suspicious check-ins.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/accounts/store/activity_store.h"

namespace crm::accounts {

class VisitReviewStore {
 public:
  VisitReviewStore(std::shared_ptr<db::ConnectionPool> pool,
                   std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Suspicious visits of users under `org_path_prefix` ("" = everyone),
  // newest first (id descending), after `before_id` (0 = from the newest).
  absl::StatusOr<std::vector<VisitRecord>> ListSuspicious(
      const std::string& org_path_prefix, bool include_reviewed,
      int64_t before_id, int limit);

  // NOT_FOUND when missing; `may_review` decides (under the row lock)
  // whether the caller may see it (else NOT_FOUND). FAILED_PRECONDITION for
  // a visit that is not suspicious, or already has another verdict.
  absl::StatusOr<VisitRecord> Review(
      int64_t visit_id, VisitReview verdict, int64_t reviewer_id,
      const std::string& note,
      const std::function<bool(const VisitRecord&)>& may_review);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::accounts
