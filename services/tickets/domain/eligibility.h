// Eligibility of a new ticket (pure; the facts come from the orders and
// accounts services).
//
// Every ticket needs an existing account (checked by the caller: NOT_FOUND).
// A type with requires_contract (repair, disputes) also needs: a contract
// id; the contract found and of the same account; signed; the creation day
// inside [start_date, end_date] (the service period). Product coverage:
// orders' Contract has no product lines, so coverage is unknown and
// allowed (ADR 0061). A failed rule is FAILED_PRECONDITION saying why, or
// -- when the type has billable_if_ineligible -- an accepted ticket marked
// billable with the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace crm::tickets {

struct ContractFacts {
  int64_t account_id = 0;
  bool is_signed = false;
  absl::CivilDay start;
  absl::CivilDay end;
};

struct EligibilityInput {
  bool requires_contract = false;
  bool billable_if_ineligible = false;
  int64_t account_id = 0;
  int64_t contract_id = 0;
  // nullopt: no contract id given, or the contract was not found / not
  // visible.
  std::optional<ContractFacts> contract;
  absl::CivilDay today;
};

struct Eligibility {
  bool billable = false;
  std::string reason;  // why billable; empty when eligible
};

absl::StatusOr<Eligibility> DecideEligibility(const EligibilityInput& in);

}  // namespace crm::tickets
