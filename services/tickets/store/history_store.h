// SQL for comments and the append-only ticket history.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "common/db/connection.h"
#include "services/tickets/store/records.h"

namespace crm::tickets::history_store {

absl::Status Append(db::Connection& c, const HistoryRecord& h);
absl::StatusOr<std::vector<HistoryRecord>> List(db::Connection& c,
                                                int64_t ticket_id);
absl::StatusOr<int64_t> AddComment(db::Connection& c, const CommentRecord& r);
absl::StatusOr<std::vector<CommentRecord>> Comments(db::Connection& c,
                                                    int64_t ticket_id);

}  // namespace crm::tickets::history_store
