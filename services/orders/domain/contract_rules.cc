#include "services/orders/domain/contract_rules.h"

#include "common/status/status.h"

namespace crm::orders {

absl::Status ValidateTerms(const ContractTerms& t) {
  if (t.title.empty() || t.title.size() > 200)
    return InvalidField("title", "required, at most 200 bytes");
  if (t.end_date < t.start_date)
    return InvalidField("end_date", "must not be before start_date");
  if (t.renewal && t.predecessor_contract_id <= 0) {
    return InvalidField("predecessor_contract_id",
                        "required for a renewal contract");
  }
  if (!t.renewal && t.predecessor_contract_id != 0) {
    return InvalidField("predecessor_contract_id",
                        "only a renewal contract has a predecessor");
  }
  return ValidatePlan(t.amount_minor, t.plan);
}

}  // namespace crm::orders
