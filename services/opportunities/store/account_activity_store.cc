#include "services/opportunities/store/account_activity_store.h"

#include "services/opportunities/domain/pipeline.h"

namespace crm::opportunities {

absl::StatusOr<int64_t> RecordAccountActivity(db::Connection& tx,
                                              int64_t account_id,
                                              absl::Time at) {
  // ix_opp_account (account_id, status) finds the rows.
  return tx.Exec(
      "UPDATE opportunities SET last_activity_at = ? WHERE account_id = ? "
      "AND status = ? AND last_activity_at < ?",
      {at, account_id, static_cast<int>(OppStatus::kOpen), at});
}

}  // namespace crm::opportunities
