// Leaderboard bumps not known to be applied (ADR 0098): one row per signing
// or payment, added in its transaction and removed once its bump succeeded.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "services/orders/domain/leaderboard_keys.h"

namespace crm::orders::board_pending_store {

struct PendingBump {
  int64_t id = 0;
  BoardMetric metric = BoardMetric::kSigned;
  absl::CivilDay day;  // the business day the bump counts on
};

// The row's id.
absl::StatusOr<int64_t> Add(db::Connection& c, BoardMetric metric,
                            absl::CivilDay day, absl::Time now);
absl::Status Remove(db::Connection& c, const std::vector<int64_t>& ids);
// The oldest `limit` rows added before `before`.
absl::StatusOr<std::vector<PendingBump>> AddedBefore(db::Connection& c,
                                                     absl::Time before,
                                                     int limit);

}  // namespace crm::orders::board_pending_store
