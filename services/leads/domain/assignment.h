// Assignment rules as data (seed 004: 线索分配策略), evaluated purely.
//
// An org unit has an ordered list of rules. A rule matches a lead when all
// its set conditions hold: region in region_codes, city in cities, score in
// [min_score, max_score] (max 0 = no upper bound). A matching rule picks a
// member by its strategy, skipping members at capacity (open leads >=
// capacity, 0 = unlimited):
//   ROUND_ROBIN   members in turn from the rule's cursor (kept in MySQL);
//   LEAST_LOADED  the member with the fewest open leads (ties: list order).
// First match with an available member wins; if every member of a matching
// rule is full, the next rule is tried; no pick leaves the lead pooled.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace crm::leads {

enum class Strategy { kRoundRobin = 1, kLeastLoaded = 2 };

struct RuleMember {
  int64_t user_id = 0;
  std::string org_path;
};

struct RuleSpec {
  int64_t id = 0;
  int64_t org_unit_id = 0;
  std::string name;
  int position = 0;
  bool enabled = true;
  std::vector<std::string> region_codes;
  std::vector<std::string> cities;
  int min_score = 0;
  int max_score = 0;
  Strategy strategy = Strategy::kRoundRobin;
  std::vector<RuleMember> members;
  int capacity = 0;
  int64_t cursor = 0;  // round robin: index of the next member to try
};

struct LeadFacts {
  std::string region_code;
  std::string city;
  int score = 0;
};

// user id -> open leads owned now.
using MemberLoads = std::map<int64_t, int64_t>;

struct Pick {
  int64_t rule_id = 0;
  RuleMember member;
  int64_t next_cursor = 0;  // the rule's cursor after this pick
};

// Name 1..100, position >= 0, 0 <= min_score <= 100, max_score 0 or
// min..100, strategy set, 1..200 distinct members, capacity >= 0, at most
// 50 regions/cities. INVALID_ARGUMENT "rule.<field>: <rule>".
absl::Status ValidateRule(const RuleSpec& r);

bool RuleMatches(const RuleSpec& r, const LeadFacts& lead);

// `rules` in evaluation order (position, then id). Disabled rules are
// skipped.
std::optional<Pick> ChooseAssignee(const std::vector<RuleSpec>& rules,
                                   const LeadFacts& lead,
                                   const MemberLoads& loads);

}  // namespace crm::leads
