// SQL for payments, their allocations, overdue flags and the collection
// list. Functions take the connection so handlers compose them in one
// transaction with the contract lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"
#include "services/orders/store/records.h"

namespace crm::orders::payment_store {

absl::StatusOr<std::optional<PaymentRecord>> FindByReference(
    db::Connection& c, const std::string& reference);
// Inserts the payment and its allocations, moves the installments' paid
// amounts (a fully paid installment is no longer overdue) and the
// contract's received total. Returns the id.
absl::StatusOr<int64_t> Insert(db::Connection& c, const PaymentRecord& p,
                               absl::Time now);
absl::StatusOr<std::vector<PaymentRecord>> ListByContract(db::Connection& c,
                                                          int64_t contract_id,
                                                          int64_t after_id,
                                                          int limit);

// Signed installments due before `as_of`, not fully paid and not flagged
// yet, locked; at most `limit`.
absl::StatusOr<std::vector<CollectionRecord>> LockNewlyOverdue(
    db::Connection& c, absl::CivilDay as_of, int limit);
absl::Status MarkOverdue(db::Connection& c, int64_t installment_id,
                         absl::CivilDay as_of);

struct CollectionFilter {
  int64_t owner_id = 0;
  std::string org_path;  // "" = no extra subtree filter
  int64_t after_id = 0;
  int limit = 50;
};
// Overdue installments still not fully paid, in the caller's scope.
absl::StatusOr<std::vector<CollectionRecord>> PendingCollections(
    db::Connection& c, const auth::Principal& p, const CollectionFilter& f);

}  // namespace crm::orders::payment_store
