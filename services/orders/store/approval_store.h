// SQL for the approval chain configuration.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/connection.h"
#include "services/orders/domain/approval_rules.h"

namespace crm::orders::approval_store {

// The configured chains, or nullopt when an admin never set any (callers
// then use DefaultChains()).
absl::StatusOr<std::optional<std::vector<ApprovalChain>>> Load(
    db::Connection& c);
absl::Status Replace(db::Connection& c,
                     const std::vector<ApprovalChain>& chains, int64_t actor,
                     absl::Time now);

}  // namespace crm::orders::approval_store
