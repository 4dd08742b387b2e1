// Automatic recycling (私海 -> 公海, seed 004 "10天没有拜访记录...掉入公海")
// and the churn-risk check, as pure functions over an account's facts.
//
// A pool's recycle rules are stored as a JSON array in pools.recycle_rules,
// one object per rule with the field names of the RecycleRule proto:
//   {"name": "...", "no_follow_up_days": 10, "no_opportunity_days": 0,
//    "not_won_days": 0, "tier": "A"|"B"|"C"|1|2|3 (absent = every tier),
//    "include_signed": false, "include_protected": false,
//    "target_pool_id": 0, "warn_days_before": 2}
//
// Composition: the conditions set in ONE rule must all hold (AND); the
// rules of a pool are alternatives (OR) tried in order, and the first rule
// that is due decides the reason and the target pool. A pool without rules
// ("[]") uses DefaultRecycleRules(): no follow-up for 10 days, or not won
// within 90 days of being owned; signed customers excluded.
//
// Conditions (N days each, 0 = not used):
//   no_follow_up_days    as_of >= max(last_follow_up_at, owned_since) + N
//   not_won_days         not won during this ownership (no first_signed_at
//                        at or after owned_since) and as_of >= owned_since + N
//   no_opportunity_days  as_of >= max(last opportunity created for the
//                        account, owned_since) + N (opportunities come from
//                        the opportunities service's events)
// Exclusions: signed customers unless include_signed; protected customers
// (locked by the owner, an open opportunity, or a contract whose end date
// has not passed) unless include_protected; a rule with a tier applies to
// that tier only.
// Warnings: warn_days_before D (absent = 2, 0 = no warning) before the
// rule's due time, the owner gets a "recycle_warning" task.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

inline constexpr int kDefaultWarnDaysBefore = 2;
inline constexpr int kDefaultNoFollowUpDays = 10;
inline constexpr int kDefaultNotWonDays = 90;
inline constexpr int kChurnRiskDays = 60;
inline constexpr int kMaxRuleDays = 3650;

struct RecycleRule {
  std::string name;
  int no_follow_up_days = 0;
  int no_opportunity_days = 0;
  int not_won_days = 0;
  std::optional<Tier> tier;  // nullopt = every tier
  bool include_signed = false;
  bool include_protected = false;
  int64_t target_pool_id = 0;  // 0 = the account's region pool
  int warn_days_before = kDefaultWarnDaysBefore;
};

std::vector<RecycleRule> DefaultRecycleRules();

// Parses and validates the JSON of pools.recycle_rules; "[]" (or empty
// text) gives DefaultRecycleRules(). INVALID_ARGUMENT
// "recycle_rules[i].<field>: <rule>" otherwise.
absl::StatusOr<std::vector<RecycleRule>> ParseRecycleRules(
    const std::string& json);
std::string RecycleRulesToJson(const std::vector<RecycleRule>& rules);
absl::Status ValidateRecycleRule(const RecycleRule& r, int index);

// What the rules need to know about one privately owned account.
struct RecycleFacts {
  AccountStatus status = AccountStatus::kNew;
  Tier tier = Tier::kC;
  absl::Time owned_since;
  std::optional<absl::Time> last_follow_up_at;
  std::optional<absl::Time> first_signed_at;
  std::optional<absl::Time> last_opportunity_at;
  bool is_protected = false;
};

struct RecycleDecision {
  enum class Action { kKeep, kWarn, kRecycle };
  Action action = Action::kKeep;
  int rule_index = -1;
  std::string rule_name;
  int64_t target_pool_id = 0;
  absl::Time due;  // when the rule recycles (for kWarn: the warning's due)
};

// When `rule` recycles the account, or nullopt when it never can (excluded,
// or a condition that cannot be met).
std::optional<absl::Time> RuleDueTime(const RecycleRule& rule,
                                      const RecycleFacts& f);
// Recycle if some rule is due at `as_of` (the first such rule in order);
// else warn if some rule with a warning is due within its warn_days_before
// (the soonest); else keep.
RecycleDecision Evaluate(const std::vector<RecycleRule>& rules,
                         const RecycleFacts& f, absl::Time as_of);

// "Signed customer with no follow-up for 60 days": true for a signed
// account whose max(last_follow_up_at, owned_since) + days <= as_of.
bool IsChurnRisk(const RecycleFacts& f, absl::Time as_of,
                 int days = kChurnRiskDays);

// The human-readable reason written into the pool history.
std::string RecycleReason(const RecycleRule& rule);

}  // namespace crm::accounts
