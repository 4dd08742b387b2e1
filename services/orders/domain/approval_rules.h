// Contract approval chains as data (ADR 0032), pure rules.
//
// A chain applies to a customer type (or any) from a minimum amount up.
// For a contract, the matching chain with the highest min_amount wins; on
// a tie, a chain for the specific customer type beats one for any type.
// Without configuration the default chains are:
//   any type,  from 0:              sales_manager -> finance
//   KA,        from 0:              sales_manager -> boss -> finance
//   any type,  from 1,000,000 CNY:  sales_manager -> boss -> finance
// ("boss" is the commercial review).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal.h"

namespace crm::orders {

enum class CustomerType { kAny = 0, kSmb = 1, kKa = 2 };

struct ApprovalChain {
  CustomerType customer_type = CustomerType::kAny;
  int64_t min_amount_minor = 0;
  std::vector<std::string> steps;  // roles

  friend bool operator==(const ApprovalChain&, const ApprovalChain&) = default;
};

inline constexpr int64_t kCommercialReviewFromMinor = 100'000'000;  // 1M CNY

std::vector<ApprovalChain> DefaultChains();

// INVALID_ARGUMENT "chains[i].steps[j]: ..." for unknown or non-approver
// roles, empty or over-long chains, negative amounts, duplicates.
absl::Status ValidateChains(const std::vector<ApprovalChain>& chains);

// The chain for a contract; FAILED_PRECONDITION when none matches.
absl::StatusOr<ApprovalChain> ChooseChain(
    const std::vector<ApprovalChain>& chains, CustomerType type,
    int64_t amount_minor);

// Whether `p` may act on a step that needs `role`: holding the role (admins
// may act on any step).
bool CanActOnStep(const auth::Principal& p, const std::string& role);

// Serialization for storage: "sales_manager,finance".
std::string JoinSteps(const std::vector<std::string>& steps);
std::vector<std::string> SplitSteps(const std::string& text);

}  // namespace crm::orders
