#include "services/orders/store/approval_store.h"

#include "common/status/status.h"

namespace crm::orders::approval_store {

absl::StatusOr<std::optional<std::vector<ApprovalChain>>> Load(
    db::Connection& c) {
  ASSIGN_OR_RETURN(
      db::Rows marker,
      c.Query("SELECT name FROM approval_config WHERE name = 'chains'", {}));
  if (marker.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT customer_type, min_amount_minor, steps FROM "
                           "approval_chains ORDER BY id",
                           {}));
  std::vector<ApprovalChain> out;
  for (const db::Row& row : rows) {
    ApprovalChain chain;
    chain.customer_type = static_cast<CustomerType>(row.Int("customer_type"));
    chain.min_amount_minor = row.Int("min_amount_minor");
    chain.steps = SplitSteps(row.String("steps"));
    out.push_back(std::move(chain));
  }
  return out;
}

absl::Status Replace(db::Connection& c,
                     const std::vector<ApprovalChain>& chains, int64_t actor,
                     absl::Time now) {
  RETURN_IF_ERROR(c.Exec("DELETE FROM approval_chains", {}).status());
  for (const ApprovalChain& chain : chains) {
    RETURN_IF_ERROR(c.Exec("INSERT INTO approval_chains (customer_type, "
                           "min_amount_minor, steps) VALUES (?, ?, ?)",
                           {static_cast<int>(chain.customer_type),
                            chain.min_amount_minor, JoinSteps(chain.steps)})
                        .status());
  }
  return c
      .Exec(
          "INSERT INTO approval_config (name, updated_by, updated_at) "
          "VALUES ('chains', ?, ?) ON DUPLICATE KEY UPDATE updated_by = "
          "VALUES(updated_by), updated_at = VALUES(updated_at)",
          {actor, now})
      .status();
}

}  // namespace crm::orders::approval_store
