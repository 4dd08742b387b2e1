#include "services/tickets/domain/eligibility.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crm::tickets {
namespace {

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// Why the ticket is not covered, or "" when it is.
std::string Reason(const EligibilityInput& in) {
  if (!in.requires_contract) return "";
  if (in.contract_id <= 0) return "this ticket type requires a contract_id";
  if (!in.contract.has_value()) {
    return absl::StrCat("contract ", in.contract_id, " not found");
  }
  const ContractFacts& c = *in.contract;
  if (c.account_id != in.account_id) {
    return absl::StrCat("contract ", in.contract_id,
                        " belongs to another account");
  }
  if (!c.is_signed) {
    return absl::StrCat("contract ", in.contract_id, " is not signed");
  }
  if (in.today < c.start) {
    return absl::StrCat("contract ", in.contract_id,
                        " service period starts on ", Day(c.start));
  }
  if (in.today > c.end) {
    return absl::StrCat("contract ", in.contract_id,
                        " service period ended on ", Day(c.end));
  }
  if (in.product.has_value() && !Covers(c, in.product->id)) {
    const std::string product =
        absl::StrCat("product ", in.product->sku, " (id ", in.product->id, ")");
    if (c.quote_id == 0) {
      return absl::StrCat("contract ", in.contract_id,
                          " has no quote listing its products, so it does "
                          "not cover ",
                          product);
    }
    return absl::StrCat("contract ", in.contract_id, " does not cover ",
                        product, ": not on quote ", c.quote_id);
  }
  return "";
}

}  // namespace

bool Covers(const ContractFacts& facts, int64_t product_id) {
  if (facts.quote_id == 0) return false;
  return std::find(facts.covered_products.begin(), facts.covered_products.end(),
                   product_id) != facts.covered_products.end();
}

absl::StatusOr<Eligibility> DecideEligibility(const EligibilityInput& in) {
  std::string why = Reason(in);
  if (why.empty()) return Eligibility{};
  if (!in.billable_if_ineligible) {
    return absl::FailedPreconditionError(
        absl::StrCat("not eligible for free service: ", why));
  }
  return Eligibility{true, why};
}

}  // namespace crm::tickets
