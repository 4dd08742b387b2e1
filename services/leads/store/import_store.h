// Finished imports by (caller, request_id): a retried upload returns the
// stored summary instead of importing the file again.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"

namespace crm::leads {

class ImportStore {
 public:
  explicit ImportStore(std::shared_ptr<db::ConnectionPool> pool)
      : pool_(std::move(pool)) {}

  // The serialized ImportLeadsResponse, if this caller finished this
  // request before.
  absl::StatusOr<std::optional<std::string>> Find(
      int64_t user_id, const std::string& request_id);
  absl::Status Save(int64_t user_id, const std::string& request_id,
                    const std::string& file_name, const std::string& response,
                    absl::Time now);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
};

}  // namespace crm::leads
