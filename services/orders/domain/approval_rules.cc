#include "services/orders/domain/approval_rules.h"

#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace crm::orders {
namespace {

bool ApproverRole(const std::string& role) {
  return role == auth::kRoleSalesManager || role == auth::kRoleFinance ||
         role == auth::kRoleBoss || role == auth::kRoleAdmin;
}

}  // namespace

std::vector<ApprovalChain> DefaultChains() {
  const std::string m(auth::kRoleSalesManager), f(auth::kRoleFinance),
      b(auth::kRoleBoss);
  return {{CustomerType::kAny, 0, {m, f}},
          {CustomerType::kKa, 0, {m, b, f}},
          {CustomerType::kAny, kCommercialReviewFromMinor, {m, b, f}}};
}

absl::Status ValidateChains(const std::vector<ApprovalChain>& chains) {
  if (chains.empty()) return InvalidField("chains", "at least one chain");
  if (chains.size() > 50) return InvalidField("chains", "at most 50 chains");
  std::set<std::pair<int, int64_t>> seen;
  for (size_t i = 0; i < chains.size(); ++i) {
    const ApprovalChain& c = chains[i];
    const std::string at = absl::StrCat("chains[", i, "]");
    if (c.min_amount_minor < 0)
      return InvalidField(at + ".min_amount", "must not be negative");
    if (c.steps.empty() || c.steps.size() > 10)
      return InvalidField(at + ".steps", "1..10 steps");
    for (size_t j = 0; j < c.steps.size(); ++j) {
      if (!ApproverRole(c.steps[j])) {
        return InvalidField(
            absl::StrCat(at, ".steps[", j, "]"),
            "must be one of sales_manager, finance, boss, admin");
      }
    }
    if (!seen.insert({static_cast<int>(c.customer_type), c.min_amount_minor})
             .second) {
      return InvalidField(at,
                          "duplicates another chain's customer type and "
                          "min_amount");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ApprovalChain> ChooseChain(
    const std::vector<ApprovalChain>& chains, CustomerType type,
    int64_t amount_minor) {
  const ApprovalChain* best = nullptr;
  for (const ApprovalChain& c : chains) {
    if (c.customer_type != CustomerType::kAny && c.customer_type != type)
      continue;
    if (amount_minor < c.min_amount_minor) continue;
    if (best == nullptr ||
        std::make_tuple(c.min_amount_minor,
                        c.customer_type != CustomerType::kAny) >
            std::make_tuple(best->min_amount_minor,
                            best->customer_type != CustomerType::kAny)) {
      best = &c;
    }
  }
  if (best == nullptr) {
    return absl::FailedPreconditionError(
        "no approval chain matches this contract; an admin must configure one");
  }
  return *best;
}

bool CanActOnStep(const auth::Principal& p, const std::string& role) {
  return p.IsAdmin() || p.HasRole(role);
}

std::string JoinSteps(const std::vector<std::string>& steps) {
  return absl::StrJoin(steps, ",");
}

std::vector<std::string> SplitSteps(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

}  // namespace crm::orders
