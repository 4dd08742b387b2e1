// SQL for contracts, their installments and approval history. Functions
// take the connection so handlers compose them in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"
#include "services/orders/store/records.h"

namespace crm::orders::contract_store {

// The contract with its installments; NOT_FOUND "contract <id> not found".
// `for_update` locks the contract row (inside a transaction).
absl::StatusOr<ContractRecord> Get(db::Connection& c, int64_t id,
                                   bool for_update = false);
absl::StatusOr<std::optional<int64_t>> FindByRequestKey(db::Connection& c,
                                                        const std::string& key);
// Inserts the contract and its installments; returns the id.
absl::StatusOr<int64_t> Insert(db::Connection& c, const ContractRecord& r,
                               const std::string& request_key, absl::Time now);
// Rewrites the editable fields and replaces the installments.
absl::Status UpdateDraft(db::Connection& c, const ContractRecord& r,
                         absl::Time now);
// Status and approval position.
absl::Status SetState(db::Connection& c, const ContractRecord& r,
                      absl::Time now);
// SIGNED at `at`; installments take the contract's owner for collections.
absl::Status MarkSigned(db::Connection& c, const ContractRecord& r,
                        absl::Time at);

struct ListFilter {
  int64_t after_id = 0;
  int limit = 50;
  int64_t account_id = 0;
  int64_t owner_id = 0;
  int status = 0;
  // More conditions on `contracts.id` (custom field option filters).
  std::vector<auth::SqlPredicate> extra;
};
absl::StatusOr<std::vector<ContractRecord>> List(db::Connection& c,
                                                 const auth::Principal& p,
                                                 const ListFilter& f);

absl::Status AddHistory(db::Connection& c, const ApprovalEntryRecord& e);
absl::StatusOr<std::vector<ApprovalEntryRecord>> History(db::Connection& c,
                                                         int64_t contract_id);

}  // namespace crm::orders::contract_store
