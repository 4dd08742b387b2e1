// SQL for the org tree (tables org_units and, on moves, users.org_path).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/identity/store/records.h"

namespace crm::identity {

class OrgStore {
 public:
  OrgStore(std::shared_ptr<db::ConnectionPool> pool,
           std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  struct NewUnit {
    int64_t parent_id = 0;  // 0 creates the root
    std::string name;
    OrgKind kind = OrgKind::kUnspecified;
    std::string region_code;
    std::string request_id;
  };
  // NOT_FOUND for an unknown parent, ALREADY_EXISTS for a sibling with the
  // same name, FAILED_PRECONDITION for a misplaced kind or a second root.
  // The same non-empty request_id returns the unit created first.
  absl::StatusOr<OrgUnitRecord> Create(const NewUnit& unit);
  absl::StatusOr<OrgUnitRecord> Get(int64_t id);
  absl::StatusOr<std::optional<OrgUnitRecord>> Root();
  absl::StatusOr<std::vector<OrgUnitRecord>> Children(int64_t parent_id);
  // The unit at `path` and all below it, ordered by path.
  absl::StatusOr<std::vector<OrgUnitRecord>> Subtree(const std::string& path);
  absl::StatusOr<OrgUnitRecord> Update(
      int64_t id, const std::optional<std::string>& name,
      const std::optional<std::string>& region_code);

  struct MoveResult {
    OrgUnitRecord unit;
    std::string old_path;
    int64_t units_moved = 0;
    int64_t users_moved = 0;
  };
  // Re-paths the unit's whole subtree and its users in one transaction and
  // records an OrgUnitMoved event.
  absl::StatusOr<MoveResult> Move(int64_t id, int64_t new_parent_id);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::identity
