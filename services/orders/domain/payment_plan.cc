#include "services/orders/domain/payment_plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::orders {
namespace {

std::string At(int i, const char* field) {
  return absl::StrCat("installments[", i, "].", field);
}

}  // namespace

absl::Status ValidatePlan(int64_t contract_amount_minor,
                          const std::vector<PlannedInstallment>& plan) {
  if (contract_amount_minor <= 0 || contract_amount_minor > kMaxAmountMinor)
    return InvalidField("amount",
                        "must be positive and at most 10^15 minor units");
  if (plan.empty())
    return InvalidField("installments", "at least one installment is required");
  if (plan.size() > static_cast<size_t>(kMaxInstallments))
    return InvalidField("installments", "at most 120 installments");
  int64_t sum = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    const int idx = static_cast<int>(i);
    if (plan[i].amount_minor <= 0)
      return InvalidField(At(idx, "amount"), "must be positive");
    if (i > 0 && plan[i].due_date < plan[i - 1].due_date) {
      return InvalidField(At(idx, "due_date"),
                          absl::StrCat("must not be before installments[",
                                       idx - 1, "].due_date"));
    }
    sum += plan[i].amount_minor;
    if (sum > contract_amount_minor) {
      return InvalidField(At(idx, "amount"),
                          absl::StrCat("the plan reaches ", sum,
                                       ", exceeding the contract amount ",
                                       contract_amount_minor));
    }
  }
  if (sum != contract_amount_minor) {
    return InvalidField(
        "installments",
        absl::StrCat("they sum to ", sum, ", not the contract amount ",
                     contract_amount_minor));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AllocationShare>> AllocatePayment(
    const std::vector<InstallmentBalance>& plan, int64_t amount_minor,
    int only_index) {
  if (amount_minor <= 0) return InvalidField("amount", "must be positive");
  std::vector<AllocationShare> out;
  if (only_index >= 0) {
    auto it = std::find_if(plan.begin(), plan.end(), [&](const auto& i) {
      return i.index == only_index;
    });
    if (it == plan.end()) {
      return InvalidField("installment_number",
                          "names no installment of the contract");
    }
    if (amount_minor > it->outstanding()) {
      return InvalidField(
          At(only_index, "amount"),
          absl::StrCat("payment ", amount_minor, " exceeds the ",
                       it->outstanding(), " outstanding"));
    }
    out.push_back({it->id, it->index, amount_minor});
    return out;
  }
  std::vector<const InstallmentBalance*> order;
  for (const auto& i : plan) order.push_back(&i);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    if (a->due_date != b->due_date) return a->due_date < b->due_date;
    return a->index < b->index;
  });
  int64_t left = amount_minor;
  int64_t outstanding = 0;
  for (const InstallmentBalance* i : order) {
    outstanding += i->outstanding();
    if (left == 0 || i->outstanding() <= 0) continue;
    const int64_t take = std::min(left, i->outstanding());
    out.push_back({i->id, i->index, take});
    left -= take;
  }
  if (left > 0) {
    const int last = order.empty() ? 0 : order.back()->index;
    return InvalidField(
        "amount",
        absl::StrCat("payment ", amount_minor, " would over-collect: only ",
                     outstanding, " outstanding (installments[", last,
                     "] is the last)"));
  }
  return out;
}

absl::StatusOr<std::vector<AllocationShare>> AllocateRefund(
    const std::vector<InstallmentBalance>& plan, int64_t refund_minor) {
  if (refund_minor <= 0) return InvalidField("amount", "must not be zero");
  std::vector<const InstallmentBalance*> order;
  int64_t paid = 0;
  for (const auto& i : plan) {
    order.push_back(&i);
    paid += i.paid_minor;
  }
  if (refund_minor > paid) {
    return InvalidField(
        "amount", absl::StrCat("refund ", refund_minor, " exceeds the ", paid,
                               " received"));
  }
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    if (a->due_date != b->due_date) return a->due_date > b->due_date;
    return a->index > b->index;
  });
  std::vector<AllocationShare> out;
  int64_t left = refund_minor;
  for (const InstallmentBalance* i : order) {
    if (left == 0) break;
    if (i->paid_minor <= 0) continue;
    const int64_t take = std::min(left, i->paid_minor);
    out.push_back({i->id, i->index, -take});
    left -= take;
  }
  return out;
}

bool IsOverdue(const InstallmentBalance& i, absl::CivilDay as_of) {
  return i.outstanding() > 0 && i.due_date < as_of;
}

int DaysOverdue(absl::CivilDay due, absl::CivilDay as_of) {
  return as_of > due ? static_cast<int>(as_of - due) : 0;
}

}  // namespace crm::orders
