#include "services/accounts/domain/recycle_rules.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"

namespace crm::accounts {
namespace {

using nlohmann::json;

absl::Status Bad(int index, const std::string& field, const std::string& rule) {
  return InvalidField(absl::StrCat("recycle_rules[", index, "].", field), rule);
}

absl::StatusOr<int> IntField(const json& o, const char* key, int index,
                             int fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) return Bad(index, key, "must be an integer");
  const int64_t v = it->get<int64_t>();
  if (v < 0 || v > kMaxRuleDays)
    return Bad(index, key, absl::StrCat("must be 0..", kMaxRuleDays));
  return static_cast<int>(v);
}

absl::StatusOr<bool> BoolField(const json& o, const char* key, int index) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Bad(index, key, "must be true or false");
  return it->get<bool>();
}

const char* TierName(Tier t) {
  switch (t) {
    case Tier::kA:
      return "A";
    case Tier::kB:
      return "B";
    case Tier::kC:
      return "C";
  }
  return "?";
}

}  // namespace

std::vector<RecycleRule> DefaultRecycleRules() {
  RecycleRule follow;
  follow.name = "no_follow_up_10d";
  follow.no_follow_up_days = kDefaultNoFollowUpDays;
  RecycleRule won;
  won.name = "not_won_90d";
  won.not_won_days = kDefaultNotWonDays;
  return {follow, won};
}

absl::Status ValidateRecycleRule(const RecycleRule& r, int index) {
  if (r.name.size() > 100) return Bad(index, "name", "at most 100 bytes");
  for (auto [field, v] :
       {std::pair<const char*, int>{"no_follow_up_days", r.no_follow_up_days},
        {"no_opportunity_days", r.no_opportunity_days},
        {"not_won_days", r.not_won_days},
        {"warn_days_before", r.warn_days_before}}) {
    if (v < 0 || v > kMaxRuleDays)
      return Bad(index, field, absl::StrCat("must be 0..", kMaxRuleDays));
  }
  if (r.no_follow_up_days == 0 && r.no_opportunity_days == 0 &&
      r.not_won_days == 0) {
    return Bad(index, "no_follow_up_days",
               "a rule needs at least one of no_follow_up_days, "
               "no_opportunity_days, not_won_days");
  }
  if (r.target_pool_id < 0)
    return Bad(index, "target_pool_id", "must be a pool id or 0");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RecycleRule>> ParseRecycleRules(
    const std::string& text) {
  if (text.empty()) return DefaultRecycleRules();
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return InvalidField("recycle_rules", "must be valid JSON");
  if (!doc.is_array())
    return InvalidField("recycle_rules", "must be a JSON array of rules");
  if (doc.empty()) return DefaultRecycleRules();
  if (doc.size() > 20) return InvalidField("recycle_rules", "at most 20 rules");
  std::vector<RecycleRule> out;
  int index = 0;
  for (const json& o : doc) {
    if (!o.is_object()) return Bad(index, "", "must be an object");
    RecycleRule r;
    if (auto it = o.find("name"); it != o.end() && !it->is_null()) {
      if (!it->is_string()) return Bad(index, "name", "must be a string");
      r.name = it->get<std::string>();
    }
    ASSIGN_OR_RETURN(r.no_follow_up_days,
                     IntField(o, "no_follow_up_days", index, 0));
    ASSIGN_OR_RETURN(r.no_opportunity_days,
                     IntField(o, "no_opportunity_days", index, 0));
    ASSIGN_OR_RETURN(r.not_won_days, IntField(o, "not_won_days", index, 0));
    ASSIGN_OR_RETURN(r.warn_days_before, IntField(o, "warn_days_before", index,
                                                  kDefaultWarnDaysBefore));
    ASSIGN_OR_RETURN(r.include_signed, BoolField(o, "include_signed", index));
    ASSIGN_OR_RETURN(r.include_protected,
                     BoolField(o, "include_protected", index));
    if (auto it = o.find("tier"); it != o.end() && !it->is_null()) {
      if (it->is_string()) {
        const std::string t = it->get<std::string>();
        if (t == "A" || t == "TIER_A")
          r.tier = Tier::kA;
        else if (t == "B" || t == "TIER_B")
          r.tier = Tier::kB;
        else if (t == "C" || t == "TIER_C")
          r.tier = Tier::kC;
        else if (t != "" && t != "TIER_UNSPECIFIED")
          return Bad(index, "tier", "must be A, B or C");
      } else if (it->is_number_integer()) {
        const int64_t t = it->get<int64_t>();
        if (t < 0 || t > 3) return Bad(index, "tier", "must be 0..3");
        if (t > 0) r.tier = static_cast<Tier>(t);
      } else {
        return Bad(index, "tier", "must be A, B or C");
      }
    }
    if (auto it = o.find("target_pool_id"); it != o.end() && !it->is_null()) {
      if (!it->is_number_integer())
        return Bad(index, "target_pool_id", "must be an integer");
      r.target_pool_id = it->get<int64_t>();
    }
    if (r.name.empty()) r.name = absl::StrCat("rule_", index + 1);
    RETURN_IF_ERROR(ValidateRecycleRule(r, index));
    out.push_back(std::move(r));
    ++index;
  }
  return out;
}

std::string RecycleRulesToJson(const std::vector<RecycleRule>& rules) {
  json doc = json::array();
  for (const RecycleRule& r : rules) {
    json o = {{"name", r.name},
              {"no_follow_up_days", r.no_follow_up_days},
              {"no_opportunity_days", r.no_opportunity_days},
              {"not_won_days", r.not_won_days},
              {"include_signed", r.include_signed},
              {"include_protected", r.include_protected},
              {"target_pool_id", r.target_pool_id},
              {"warn_days_before", r.warn_days_before}};
    if (r.tier.has_value()) o["tier"] = TierName(*r.tier);
    doc.push_back(std::move(o));
  }
  return doc.dump();
}

std::optional<absl::Time> RuleDueTime(const RecycleRule& rule,
                                      const RecycleFacts& f) {
  if (rule.tier.has_value() && *rule.tier != f.tier) return std::nullopt;
  if (f.status == AccountStatus::kSigned && !rule.include_signed)
    return std::nullopt;
  if (f.is_protected && !rule.include_protected) return std::nullopt;
  std::optional<absl::Time> due;
  auto require = [&due](absl::Time t) { due = due ? std::max(*due, t) : t; };
  if (rule.no_follow_up_days > 0) {
    absl::Time from = f.owned_since;
    if (f.last_follow_up_at.has_value())
      from = std::max(from, *f.last_follow_up_at);
    require(from + absl::Hours(24) * rule.no_follow_up_days);
  }
  if (rule.no_opportunity_days > 0) {
    absl::Time from = f.owned_since;
    if (f.last_opportunity_at.has_value())
      from = std::max(from, *f.last_opportunity_at);
    require(from + absl::Hours(24) * rule.no_opportunity_days);
  }
  if (rule.not_won_days > 0) {
    const bool won_now =
        f.first_signed_at.has_value() && *f.first_signed_at >= f.owned_since;
    if (won_now) return std::nullopt;
    require(f.owned_since + absl::Hours(24) * rule.not_won_days);
  }
  return due;
}

RecycleDecision Evaluate(const std::vector<RecycleRule>& rules,
                         const RecycleFacts& f, absl::Time as_of) {
  RecycleDecision warn;
  for (size_t i = 0; i < rules.size(); ++i) {
    const RecycleRule& r = rules[i];
    std::optional<absl::Time> due = RuleDueTime(r, f);
    if (!due.has_value()) continue;
    if (as_of >= *due) {
      RecycleDecision d;
      d.action = RecycleDecision::Action::kRecycle;
      d.rule_index = static_cast<int>(i);
      d.rule_name = r.name;
      d.target_pool_id = r.target_pool_id;
      d.due = *due;
      return d;
    }
    if (r.warn_days_before > 0 &&
        as_of >= *due - absl::Hours(24) * r.warn_days_before &&
        (warn.action == RecycleDecision::Action::kKeep || *due < warn.due)) {
      warn.action = RecycleDecision::Action::kWarn;
      warn.rule_index = static_cast<int>(i);
      warn.rule_name = r.name;
      warn.target_pool_id = r.target_pool_id;
      warn.due = *due;
    }
  }
  return warn;
}

bool IsChurnRisk(const RecycleFacts& f, absl::Time as_of, int days) {
  if (f.status != AccountStatus::kSigned) return false;
  absl::Time from = f.owned_since;
  if (f.last_follow_up_at.has_value())
    from = std::max(from, *f.last_follow_up_at);
  return as_of >= from + absl::Hours(24) * days;
}

std::string RecycleReason(const RecycleRule& rule) {
  std::vector<std::string> parts;
  if (rule.no_follow_up_days > 0)
    parts.push_back(
        absl::StrCat("no follow-up for ", rule.no_follow_up_days, " days"));
  if (rule.not_won_days > 0)
    parts.push_back(
        absl::StrCat("not won within ", rule.not_won_days, " days"));
  if (rule.no_opportunity_days > 0)
    parts.push_back(
        absl::StrCat("no opportunity for ", rule.no_opportunity_days, " days"));
  return absl::StrCat("recycle rule ", rule.name, ": ",
                      absl::StrJoin(parts, " and "));
}

}  // namespace crm::accounts
