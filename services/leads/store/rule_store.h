// Assignment rules per org unit (data, not code) and the auto-assignment
// transaction that applies them with their round-robin cursor in MySQL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/leads/store/records.h"

namespace crm::leads {

class RuleStore {
 public:
  RuleStore(std::shared_ptr<db::ConnectionPool> pool,
            std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  absl::StatusOr<RuleSpec> Create(const RuleSpec& r);
  absl::StatusOr<RuleSpec> Get(int64_t id);
  // In evaluation order (position, id).
  absl::StatusOr<std::vector<RuleSpec>> List(int64_t org_unit_id);
  // Replaces the rule's definition (the cursor is kept, clamped to the
  // members when they changed).
  absl::StatusOr<RuleSpec> Update(const RuleSpec& r);
  absl::Status Delete(int64_t id);

  struct AutoResult {
    int64_t owner_id = 0;  // 0 = no rule picked anyone
    int64_t rule_id = 0;
  };
  // One lead, one transaction: locks the unit's rules (so concurrent
  // auto-assignments in the unit see each other's cursor and loads), the
  // lead (it must still be pooled and NEW, else owner 0), the members'
  // open-lead counts; ChooseAssignee; moves the lead, advances the cursor,
  // writes AUTO_ASSIGN history and LeadAssigned "rule:<id>".
  absl::StatusOr<AutoResult> AutoAssignOne(int64_t org_unit_id, int64_t lead_id,
                                           int64_t actor_id);

  // Pooled NEW leads of `region`, oldest first.
  absl::StatusOr<std::vector<int64_t>> PooledLeads(const std::string& region,
                                                   int limit);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::leads
