// The terms of a contract and their rules (pure).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/orders/domain/payment_plan.h"

namespace crm::orders {

struct ContractTerms {
  std::string title;
  int64_t amount_minor = 0;
  absl::CivilDay start_date;
  absl::CivilDay end_date;
  bool renewal = false;
  int64_t predecessor_contract_id = 0;
  std::vector<PlannedInstallment> plan;
};

// INVALID_ARGUMENT naming the field: title 1..200 bytes; end_date not
// before start_date; a renewal names its predecessor and a new contract
// none; the payment plan (ValidatePlan).
absl::Status ValidateTerms(const ContractTerms& t);

}  // namespace crm::orders
