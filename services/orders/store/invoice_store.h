// SQL for invoices.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/connection.h"
#include "services/orders/store/records.h"

namespace crm::orders::invoice_store {

// NOT_FOUND "invoice <id> not found".
absl::StatusOr<InvoiceRecord> Get(db::Connection& c, int64_t id,
                                  bool for_update = false);
absl::StatusOr<std::optional<int64_t>> FindByRequestKey(db::Connection& c,
                                                        const std::string& key);
// Sum of the contract's invoices that are not void.
absl::StatusOr<int64_t> InvoicedTotal(db::Connection& c, int64_t contract_id);
absl::StatusOr<int64_t> Insert(db::Connection& c, const InvoiceRecord& r,
                               const std::string& request_key, absl::Time now);
absl::Status SetStatus(db::Connection& c, int64_t id, InvoiceStatus status,
                       const std::string& number, const std::string& reason,
                       absl::Time now);
absl::StatusOr<std::vector<InvoiceRecord>> ListByContract(db::Connection& c,
                                                          int64_t contract_id);

}  // namespace crm::orders::invoice_store
