// Re-pathing after org changes in identity: opportunities copy their
// owner's org path (the data-scope key), so when identity moves an org unit
// (OrgUnitMoved) or a user to another unit (UserOrgChanged) the copies and
// the funnel rollups keyed by them follow. Runs on the caller's
// transaction (the event consumer's).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection.h"

namespace crm::opportunities {

// Every record under `old_path` (opportunities, stage history, both
// rollups) moves under `new_path`. Returns the opportunities moved.
absl::StatusOr<int64_t> RepathSubtree(db::Connection& tx,
                                      const std::string& old_path,
                                      const std::string& new_path);

// The opportunities owned by `user_id` take `new_path`; their
// funnel_daily cells move with them. Their past stage stays keep the path
// they had (the team the stay happened in). Returns the opportunities
// moved.
absl::StatusOr<int64_t> RepathOwner(db::Connection& tx, int64_t user_id,
                                    const std::string& new_path);

}  // namespace crm::opportunities
