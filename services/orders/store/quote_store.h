// SQL for quotes and their lines.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"
#include "services/orders/store/records.h"

namespace crm::orders::quote_store {

// NOT_FOUND "quote <id> not found".
absl::StatusOr<QuoteRecord> Get(db::Connection& c, int64_t id,
                                bool for_update = false);
absl::StatusOr<std::optional<int64_t>> FindByRequestKey(db::Connection& c,
                                                        const std::string& key);
absl::StatusOr<int64_t> Insert(db::Connection& c, const QuoteRecord& q,
                               const std::string& request_key, absl::Time now);
absl::Status Decide(db::Connection& c, const QuoteRecord& q, absl::Time now);
absl::StatusOr<std::vector<QuoteRecord>> List(db::Connection& c,
                                              const auth::Principal& p,
                                              int64_t after_id, int limit,
                                              int64_t account_id, int status);

}  // namespace crm::orders::quote_store
