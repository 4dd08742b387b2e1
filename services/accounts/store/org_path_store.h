// Re-pathing after org changes in identity (ADR 0014, as opportunities
// does): accounts copy their owner's org path (accounts.owner_org_path),
// tasks their assignee's (tasks.assignee_org_path) and visits the rep's
// (visits.user_org_path); data scope is an indexed prefix match on these
// copies, so when identity moves an org unit (OrgUnitMoved) or a user to
// another unit (UserOrgChanged) the copies follow. Runs on the caller's
// transaction (the event consumer's).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection.h"

namespace crm::accounts {

struct RepathCounts {
  int64_t accounts = 0;
  int64_t tasks = 0;
  int64_t visits = 0;
};

// Every stored path under `old_path` (accounts, tasks, visits) moves under
// `new_path`: CONCAT(new, SUBSTRING(path, LENGTH(old) + 1)). Idempotent: a
// replay finds no path under the old prefix any more; when `new_path` lies
// under `old_path`, paths already under `new_path` are left alone so a
// replay cannot prefix them twice.
absl::StatusOr<RepathCounts> RepathSubtree(db::Connection& tx,
                                           const std::string& old_path,
                                           const std::string& new_path);

// The accounts owned by `user_id`, their open tasks and their visits take
// `new_path`. Idempotent (rows already at `new_path` are not touched).
absl::StatusOr<RepathCounts> RepathUser(db::Connection& tx, int64_t user_id,
                                        const std::string& new_path);

}  // namespace crm::accounts
