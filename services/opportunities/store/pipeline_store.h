// SQL for pipelines and loss reasons (configuration tables).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/opportunities/domain/pipeline.h"
#include "services/opportunities/store/records.h"

namespace crm::opportunities {

class PipelineStore {
 public:
  PipelineStore(std::shared_ptr<db::ConnectionPool> pool,
                std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Stores a normalized pipeline; the same non-empty request_id returns
  // the pipeline created first.
  absl::StatusOr<PipelineDef> Create(const PipelineDef& p,
                                     const std::string& request_id);
  // NOT_FOUND "pipeline <id> not found".
  absl::StatusOr<PipelineDef> Get(int64_t id);
  absl::StatusOr<std::vector<PipelineDef>> List(bool include_inactive,
                                                CustomerType type,
                                                DealKind kind);
  // The active pipeline (lowest id) for a customer type and deal kind;
  // FAILED_PRECONDITION when there is none.
  absl::StatusOr<PipelineDef> FindActive(CustomerType type, DealKind kind);
  struct Changes {
    std::optional<std::string> name;
    std::optional<bool> active;
    std::optional<int> stale_days;
  };
  absl::StatusOr<PipelineDef> Update(int64_t id, const Changes& ch);

  // Loss reasons. Create: ALREADY_EXISTS for a taken code.
  absl::Status CreateReason(const LossReasonRecord& r);
  absl::StatusOr<std::vector<LossReasonRecord>> ListReasons(
      bool include_inactive);
  absl::StatusOr<LossReasonRecord> GetReason(const std::string& code);
  absl::StatusOr<LossReasonRecord> UpdateReason(
      const std::string& code, const std::optional<std::string>& label,
      std::optional<bool> active);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

// The stages of a pipeline to and from their stored JSON form.
std::string StagesToJson(const std::vector<StageDef>& stages);
absl::StatusOr<std::vector<StageDef>> StagesFromJson(const std::string& json);

}  // namespace crm::opportunities
