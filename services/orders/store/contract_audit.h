// Audit entries for contracts (issue 10): one call inside the transaction
// of each write (create, draft update, submit/approve/reject, sign,
// payment). See common/audit/audit.h.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "services/orders/store/records.h"

namespace crm::orders {

// The action a contract write is: "create" (no before), "submit",
// "approve" (a step or the last one), "reject", "sign", else "update".
std::string ContractAction(const ContractRecord* before,
                           const ContractRecord& after);

// Re-reads contract `id` on `c` (after the write) and appends the diff from
// `before` (null for a create).
absl::Status AuditContract(db::Connection& c, const ContractRecord* before,
                           int64_t id, absl::Time now);

// A payment or refund, recorded on its contract ("payment" / "refund").
absl::Status AuditPayment(db::Connection& c, const PaymentRecord& pay,
                          absl::Time now);

}  // namespace crm::orders
