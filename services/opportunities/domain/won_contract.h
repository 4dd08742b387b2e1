// The terms of the draft contract MarkWon's create_contract asks orders
// for (pure, no I/O).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace crm::opportunities {

// Days from the contract's start to its single installment's due date.
inline constexpr int kContractDueDays = 30;

struct WonContractDates {
  absl::CivilDay start;
  absl::CivilDay end;
  absl::CivilDay due;  // start + kContractDueDays
};

// `start` and `end` as given (YYYY-MM-DD, "" for the default). Defaults:
// start today in UTC+8 as of `now`; end start + 1 year - 1 day (a start
// on Feb 29 ends on Feb 28). INVALID_ARGUMENT naming contract_start_date
// / contract_end_date for a malformed date or an end before the start.
absl::StatusOr<WonContractDates> PlanContractDates(const std::string& start,
                                                   const std::string& end,
                                                   absl::Time now);

// The orders request id of opportunity `id`'s contract, so that a retry
// finds the contract the first attempt created.
std::string ContractRequestId(int64_t opportunity_id);

}  // namespace crm::opportunities
