// Eligibility of a new ticket (pure; the facts come from the orders and
// accounts services).
//
// Every ticket needs an existing account (checked by the caller: NOT_FOUND).
// A type with requires_contract (repair, disputes) also needs: a contract
// id; the contract found and of the same account; signed; the creation day
// inside [start_date, end_date] (the service period); and, when the ticket
// names a product, the product among the contract's covered products -- the
// product ids of the lines of the contract's quote, or of the nearest
// predecessor's quote for a renewal signed without one. A contract without
// any quote lists no products and so covers none (ADR 0064). A failed rule
// is FAILED_PRECONDITION saying why, or -- when the type has
// billable_if_ineligible -- an accepted ticket marked billable with the
// reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace crm::tickets {

// A product of orders' catalogue, as the ticket names it (resolved: both
// the id and the SKU are the catalogue's).
struct ProductRef {
  int64_t id = 0;
  std::string sku;
};

struct ContractFacts {
  int64_t account_id = 0;
  bool is_signed = false;
  absl::CivilDay start;
  absl::CivilDay end;
  // The quote whose lines say what the contract covers (the contract's own,
  // or a renewal's predecessor's); 0 = none, the contract lists no products.
  int64_t quote_id = 0;
  // Product ids of that quote's lines.
  std::vector<int64_t> covered_products;
};

struct EligibilityInput {
  bool requires_contract = false;
  bool billable_if_ineligible = false;
  int64_t account_id = 0;
  int64_t contract_id = 0;
  // nullopt: no contract id given, or the contract was not found / not
  // visible.
  std::optional<ContractFacts> contract;
  // nullopt: the ticket names no product (coverage is then not checked).
  std::optional<ProductRef> product;
  absl::CivilDay today;
};

struct Eligibility {
  bool billable = false;
  std::string reason;  // why billable; empty when eligible
};

absl::StatusOr<Eligibility> DecideEligibility(const EligibilityInput& in);

// Whether `facts` cover product `product_id` (its quote lists it).
bool Covers(const ContractFacts& facts, int64_t product_id);

}  // namespace crm::tickets
