#include "services/leads/store/rule_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/leads/store/lead_store.h"
#include "services/leads/store/pool_store.h"

namespace crm::leads {
namespace {

constexpr char kRuleColumns[] =
    "SELECT id, org_unit_id, name, position, enabled, region_codes, cities, "
    "min_score, max_score, strategy, members, capacity, rr_cursor FROM "
    "assignment_rules ";

std::vector<std::string> StringsFromJson(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

RuleSpec RuleFromRow(const db::Row& r) {
  RuleSpec s;
  s.id = r.Int("id");
  s.org_unit_id = r.Int("org_unit_id");
  s.name = r.String("name");
  s.position = static_cast<int>(r.Int("position"));
  s.enabled = r.Bool("enabled");
  s.region_codes = StringsFromJson(r.String("region_codes"));
  s.cities = StringsFromJson(r.String("cities"));
  s.min_score = static_cast<int>(r.Int("min_score"));
  s.max_score = static_cast<int>(r.Int("max_score"));
  s.strategy = static_cast<Strategy>(r.Int("strategy"));
  auto m = nlohmann::json::parse(r.String("members"), nullptr, false);
  if (m.is_array()) {
    for (const auto& e : m) {
      if (e.is_array() && e.size() == 2)
        s.members.push_back(
            RuleMember{e[0].get<int64_t>(), e[1].get<std::string>()});
    }
  }
  s.capacity = static_cast<int>(r.Int("capacity"));
  s.cursor = r.Int("rr_cursor");
  return s;
}

std::string MembersJson(const std::vector<RuleMember>& members) {
  nlohmann::json j = nlohmann::json::array();
  for (const RuleMember& m : members)
    j.push_back(nlohmann::json::array({m.user_id, m.org_path}));
  return j.dump();
}

std::string ListJson(const std::vector<std::string>& v) {
  return nlohmann::json(v).dump();
}

absl::StatusOr<RuleSpec> GetRuleOn(db::Connection& c, int64_t id) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kRuleColumns, "WHERE id = ?"), {id},
                              absl::StrCat("assignment rule ", id)));
  return RuleFromRow(row);
}

}  // namespace

absl::StatusOr<RuleSpec> RuleStore::Create(const RuleSpec& r) {
  return db::RunInTransactionFor<RuleSpec>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<RuleSpec> {
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO assignment_rules (org_unit_id, name, "
                   "position, enabled, region_codes, cities, min_score, "
                   "max_score, strategy, members, capacity, rr_cursor, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                   {r.org_unit_id, r.name, r.position, r.enabled,
                    ListJson(r.region_codes), ListJson(r.cities), r.min_score,
                    r.max_score, static_cast<int>(r.strategy),
                    MembersJson(r.members), r.capacity, clock_->Now()})
                .status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        return GetRuleOn(c, id);
      });
}

absl::StatusOr<RuleSpec> RuleStore::Get(int64_t id) {
  std::optional<RuleSpec> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetRuleOn(c, id));
        return absl::OkStatus();
      }));
  return std::move(*out);
}

absl::StatusOr<std::vector<RuleSpec>> RuleStore::List(int64_t org_unit_id) {
  std::vector<RuleSpec> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kRuleColumns,
                                 "WHERE org_unit_id = ? ORDER BY position, id"),
                    {org_unit_id}));
        out.clear();
        for (const db::Row& r : rows) out.push_back(RuleFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<RuleSpec> RuleStore::Update(const RuleSpec& r) {
  return db::RunInTransactionFor<RuleSpec>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<RuleSpec> {
        ASSIGN_OR_RETURN(
            db::Row cur,
            c.QueryOne("SELECT rr_cursor FROM assignment_rules "
                       "WHERE id = ? FOR UPDATE",
                       {r.id}, absl::StrCat("assignment rule ", r.id)));
        const int64_t cursor =
            r.members.empty()
                ? 0
                : cur.Int("rr_cursor") % static_cast<int64_t>(r.members.size());
        RETURN_IF_ERROR(
            c.Exec("UPDATE assignment_rules SET name = ?, position = ?, "
                   "enabled = ?, region_codes = ?, cities = ?, min_score = ?, "
                   "max_score = ?, strategy = ?, members = ?, capacity = ?, "
                   "rr_cursor = ? WHERE id = ?",
                   {r.name, r.position, r.enabled, ListJson(r.region_codes),
                    ListJson(r.cities), r.min_score, r.max_score,
                    static_cast<int>(r.strategy), MembersJson(r.members),
                    r.capacity, cursor, r.id})
                .status());
        return GetRuleOn(c, r.id);
      });
}

absl::Status RuleStore::Delete(int64_t id) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t n,
                     c.Exec("DELETE FROM assignment_rules WHERE id = ?", {id}));
    if (n == 0)
      return absl::NotFoundError(
          absl::StrCat("assignment rule ", id, " not found"));
    return absl::OkStatus();
  });
}

absl::StatusOr<RuleStore::AutoResult> RuleStore::AutoAssignOne(
    int64_t org_unit_id, int64_t lead_id, int64_t actor_id) {
  return db::RunInTransactionFor<AutoResult>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<AutoResult> {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kRuleColumns,
                                 "WHERE org_unit_id = ? ORDER BY position, id "
                                 "FOR UPDATE"),
                    {org_unit_id}));
        std::vector<RuleSpec> rules;
        std::vector<int64_t> users;
        for (const db::Row& r : rows) {
          rules.push_back(RuleFromRow(r));
          for (const RuleMember& m : rules.back().members)
            users.push_back(m.user_id);
        }
        ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, lead_id, true));
        if (!cur.pool_id.has_value() || cur.status != LeadStatus::kNew)
          return AutoResult{};
        ASSIGN_OR_RETURN(MemberLoads loads, OpenLoadsOn(c, users));
        std::optional<Pick> pick = ChooseAssignee(
            rules, LeadFacts{cur.d.region_code, cur.d.city, cur.score.total},
            loads);
        if (!pick.has_value()) return AutoResult{};
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec("UPDATE assignment_rules SET rr_cursor = ? WHERE id = ?",
                   {pick->next_cursor, pick->rule_id})
                .status());
        RETURN_IF_ERROR(
            AssignOn(c, cur, Owner{pick->member.user_id, pick->member.org_path},
                     actor_id, HistoryKind::kAutoAssign, pick->rule_id,
                     absl::StrCat("rule:", pick->rule_id),
                     absl::StrCat("assignment rule ", pick->rule_id), now));
        return AutoResult{pick->member.user_id, pick->rule_id};
      });
}

absl::StatusOr<std::vector<int64_t>> RuleStore::PooledLeads(
    const std::string& region, int limit) {
  std::vector<int64_t> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query("SELECT id FROM leads WHERE region_code = ? AND pool_id "
                    "IS NOT NULL AND status = ? ORDER BY id LIMIT ?",
                    {region, static_cast<int>(LeadStatus::kNew), limit}));
        out.clear();
        for (const db::Row& r : rows) out.push_back(r.Int("id"));
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::leads
