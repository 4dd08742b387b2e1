// Payment plans and payment allocation: pure rules, no I/O.
//
// A plan's installments must sum exactly to the contract amount. Payments
// are allocated to installments oldest due date first (ties by position)
// unless the caller names one installment; a payment larger than what is
// still outstanding would over-collect and is refused, naming the
// installment that would overflow. Refunds (negative amounts) take money
// back from the latest-due paid installments first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace crm::orders {

inline constexpr int kMaxInstallments = 120;
// 10^15 minor units: far below 2^53, so sums stay exact as Redis scores.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;

struct PlannedInstallment {
  absl::CivilDay due_date;
  int64_t amount_minor = 0;
};

// INVALID_ARGUMENT naming the field:
//   "amount: must be positive ..." / "installments: at least one ..."
//   "installments[i].amount: must be positive"
//   "installments[i].due_date: must not be before installments[i-1]"
//   "installments[i].amount: the plan reaches X, exceeding the contract
//    amount Y"
//   "installments: they sum to X, not the contract amount Y"
absl::Status ValidatePlan(int64_t contract_amount_minor,
                          const std::vector<PlannedInstallment>& plan);

// One installment's state, as allocation sees it.
struct InstallmentBalance {
  int64_t id = 0;
  int index = 0;  // position in the plan (0-based)
  absl::CivilDay due_date;
  int64_t amount_minor = 0;
  int64_t paid_minor = 0;
  int64_t outstanding() const { return amount_minor - paid_minor; }
};

struct AllocationShare {
  int64_t installment_id = 0;
  int index = 0;
  int64_t amount_minor = 0;  // negative for a refund
};

// Splits a payment of `amount_minor` (> 0) over `plan`; `only_index` >= 0
// restricts it to that installment. Errors (INVALID_ARGUMENT):
//   "installments[i].amount: payment X exceeds the Y outstanding"
//   "amount: payment X would over-collect: only Y outstanding (installments[i]
//    is the last)"
absl::StatusOr<std::vector<AllocationShare>> AllocatePayment(
    const std::vector<InstallmentBalance>& plan, int64_t amount_minor,
    int only_index = -1);

// Takes `refund_minor` (> 0, the absolute refund) back from paid money,
// latest due first. INVALID_ARGUMENT "amount: refund X exceeds the Y
// received" when more than was paid.
absl::StatusOr<std::vector<AllocationShare>> AllocateRefund(
    const std::vector<InstallmentBalance>& plan, int64_t refund_minor);

// Overdue on `as_of` when the due date is strictly before it and money is
// still outstanding (due today is not overdue yet).
bool IsOverdue(const InstallmentBalance& i, absl::CivilDay as_of);
// Whole days past the due date (0 on the due date or before).
int DaysOverdue(absl::CivilDay due, absl::CivilDay as_of);

}  // namespace crm::orders
