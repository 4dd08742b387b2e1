#include "services/tickets/store/config_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::tickets::config_store {

absl::Status UpsertType(db::Connection& c, const std::string& key,
                        const std::string& config_json, absl::Time now) {
  return c
      .Exec(
          "INSERT INTO ticket_types (type_key, config_json, updated_at) "
          "VALUES (?,?,?) ON DUPLICATE KEY UPDATE config_json = "
          "VALUES(config_json), updated_at = VALUES(updated_at)",
          {key, config_json, now})
      .status();
}

absl::StatusOr<std::string> GetType(db::Connection& c, const std::string& key) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT config_json FROM ticket_types WHERE type_key = ?",
              {key}));
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat("ticket type ", key, " not found"));
  }
  return rows.front().String("config_json");
}

absl::StatusOr<std::map<std::string, std::string>> AllTypes(db::Connection& c) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT type_key, config_json FROM ticket_types ORDER BY "
              "type_key"));
  std::map<std::string, std::string> out;
  for (const db::Row& r : rows) {
    out[r.String("type_key")] = r.String("config_json");
  }
  return out;
}

absl::StatusOr<int64_t> InsertGroup(db::Connection& c, const std::string& name,
                                    const std::string& org_path,
                                    absl::Time now) {
  ASSIGN_OR_RETURN(
      db::Rows existing,
      c.Query("SELECT id FROM support_groups WHERE name = ?", {name}));
  if (!existing.empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "support group ", name, " exists: id ", existing.front().Int("id")));
  }
  RETURN_IF_ERROR(c.Exec("INSERT INTO support_groups (name, org_path, "
                         "created_at) VALUES (?,?,?)",
                         {name, org_path, now})
                      .status());
  return c.LastInsertId();
}

absl::StatusOr<GroupRecord> GetGroup(db::Connection& c, int64_t id,
                                     bool for_update) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat("SELECT id, name, org_path, last_auto_user_id "
                           "FROM support_groups WHERE id = ?",
                           for_update ? " FOR UPDATE" : ""),
              {id}));
  if (rows.empty()) {
    return absl::NotFoundError(
        absl::StrCat("support group ", id, " not found"));
  }
  const db::Row& r = rows.front();
  return GroupRecord{r.Int("id"), r.String("name"), r.String("org_path"),
                     r.Int("last_auto_user_id")};
}

absl::Status SetRoundRobin(db::Connection& c, int64_t group_id,
                           int64_t user_id) {
  return c
      .Exec("UPDATE support_groups SET last_auto_user_id = ? WHERE id = ?",
            {user_id, group_id})
      .status();
}

absl::Status UpsertAgent(db::Connection& c, const AgentRecord& a) {
  const std::string skills = nlohmann::json(a.skills).dump();
  return c
      .Exec(
          "INSERT INTO group_agents (group_id, user_id, skills_json, "
          "active) VALUES (?,?,?,?) ON DUPLICATE KEY UPDATE skills_json = "
          "VALUES(skills_json), active = VALUES(active)",
          {a.group_id, a.user_id, skills, a.active})
      .status();
}

absl::StatusOr<std::vector<AgentRecord>> Agents(db::Connection& c,
                                                int64_t group_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT group_id, user_id, skills_json, active FROM "
                           "group_agents WHERE group_id = ? ORDER BY user_id",
                           {group_id}));
  std::vector<AgentRecord> out;
  for (const db::Row& r : rows) {
    AgentRecord a;
    a.group_id = r.Int("group_id");
    a.user_id = r.Int("user_id");
    a.active = r.Bool("active");
    nlohmann::json skills =
        nlohmann::json::parse(r.String("skills_json"), nullptr, false);
    if (skills.is_array()) {
      for (const auto& s : skills) {
        if (s.is_string()) a.skills.push_back(s.get<std::string>());
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> GroupsOf(db::Connection& c,
                                              int64_t user_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT group_id FROM group_agents WHERE user_id "
                           "= ? AND active = 1 ORDER BY group_id",
                           {user_id}));
  std::vector<int64_t> out;
  for (const db::Row& r : rows) out.push_back(r.Int("group_id"));
  return out;
}

absl::StatusOr<int64_t> DeactivateAgentEverywhere(db::Connection& c,
                                                  int64_t user_id) {
  return c.Exec(
      "UPDATE group_agents SET active = 0 WHERE user_id = ? AND active = 1",
      {user_id});
}

}  // namespace crm::tickets::config_store
