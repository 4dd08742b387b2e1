#include "services/leads/domain/assignment.h"

#include <algorithm>
#include <set>

#include "common/status/status.h"

namespace crm::leads {
namespace {

int64_t LoadOf(const MemberLoads& loads, int64_t user) {
  auto it = loads.find(user);
  return it == loads.end() ? 0 : it->second;
}

bool HasRoom(const RuleSpec& r, const MemberLoads& loads, int64_t user) {
  return r.capacity <= 0 || LoadOf(loads, user) < r.capacity;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

absl::Status ValidateRule(const RuleSpec& r) {
  if (r.name.empty() || r.name.size() > 300)
    return InvalidField("rule.name", "required, 1..100 characters");
  if (r.position < 0) return InvalidField("rule.position", "must be >= 0");
  if (r.min_score < 0 || r.min_score > 100)
    return InvalidField("rule.min_score", "must be 0..100");
  if (r.max_score != 0 && (r.max_score < r.min_score || r.max_score > 100))
    return InvalidField("rule.max_score", "must be 0 (none) or min_score..100");
  if (r.strategy != Strategy::kRoundRobin &&
      r.strategy != Strategy::kLeastLoaded) {
    return InvalidField("rule.strategy", "must be ROUND_ROBIN or LEAST_LOADED");
  }
  if (r.members.empty() || r.members.size() > 200)
    return InvalidField("rule.member_user_ids", "1..200 members");
  std::set<int64_t> seen;
  for (const RuleMember& m : r.members) {
    if (m.user_id <= 0 || !seen.insert(m.user_id).second)
      return InvalidField("rule.member_user_ids",
                          "must be distinct positive user ids");
  }
  if (r.capacity < 0) return InvalidField("rule.capacity", "must be >= 0");
  if (r.region_codes.size() > 50)
    return InvalidField("rule.region_codes", "at most 50");
  if (r.cities.size() > 50) return InvalidField("rule.cities", "at most 50");
  return absl::OkStatus();
}

bool RuleMatches(const RuleSpec& r, const LeadFacts& lead) {
  if (!r.enabled) return false;
  if (!r.region_codes.empty() && !Contains(r.region_codes, lead.region_code))
    return false;
  if (!r.cities.empty() && !Contains(r.cities, lead.city)) return false;
  if (lead.score < r.min_score) return false;
  if (r.max_score > 0 && lead.score > r.max_score) return false;
  return true;
}

std::optional<Pick> ChooseAssignee(const std::vector<RuleSpec>& rules,
                                   const LeadFacts& lead,
                                   const MemberLoads& loads) {
  for (const RuleSpec& r : rules) {
    if (!RuleMatches(r, lead) || r.members.empty()) continue;
    const int64_t n = static_cast<int64_t>(r.members.size());
    if (r.strategy == Strategy::kRoundRobin) {
      const int64_t start = ((r.cursor % n) + n) % n;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t i = (start + k) % n;
        if (HasRoom(r, loads, r.members[i].user_id))
          return Pick{r.id, r.members[i], (i + 1) % n};
      }
    } else {
      std::optional<int64_t> best;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t user = r.members[i].user_id;
        if (!HasRoom(r, loads, user)) continue;
        if (!best ||
            LoadOf(loads, user) < LoadOf(loads, r.members[*best].user_id)) {
          best = i;
        }
      }
      if (best) return Pick{r.id, r.members[*best], r.cursor};
    }
  }
  return std::nullopt;
}

}  // namespace crm::leads
