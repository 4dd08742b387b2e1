// Customer contact recorded in accounts (a follow-up or a visit,
// AccountActivity) counts as activity on the account's open opportunities:
// their stale clock (last_activity_at) restarts. Runs on the caller's
// transaction (the event consumer's).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"

namespace crm::opportunities {

// Moves last_activity_at of the account's open opportunities forward to
// `at` (never back). Returns the opportunities touched.
absl::StatusOr<int64_t> RecordAccountActivity(db::Connection& tx,
                                              int64_t account_id,
                                              absl::Time at);

}  // namespace crm::opportunities
