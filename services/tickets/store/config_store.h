// SQL for ticket types (JSON of the TicketType message), support groups and
// their agents.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/connection.h"
#include "services/tickets/store/records.h"

namespace crm::tickets::config_store {

absl::Status UpsertType(db::Connection& c, const std::string& key,
                        const std::string& config_json, absl::Time now);
// NOT_FOUND "ticket type <key> not found".
absl::StatusOr<std::string> GetType(db::Connection& c, const std::string& key);
// key -> config JSON, every type.
absl::StatusOr<std::map<std::string, std::string>> AllTypes(db::Connection& c);

// ALREADY_EXISTS "support group <name> exists: id <id>".
absl::StatusOr<int64_t> InsertGroup(db::Connection& c, const std::string& name,
                                    const std::string& org_path,
                                    absl::Time now);
// NOT_FOUND "support group <id> not found"; `for_update` locks it.
absl::StatusOr<GroupRecord> GetGroup(db::Connection& c, int64_t id,
                                     bool for_update = false);
absl::Status SetRoundRobin(db::Connection& c, int64_t group_id,
                           int64_t user_id);
absl::Status UpsertAgent(db::Connection& c, const AgentRecord& a);
absl::StatusOr<std::vector<AgentRecord>> Agents(db::Connection& c,
                                                int64_t group_id);
// Makes `user_id` an inactive agent of every group (a departed user);
// returns the number of groups changed.
absl::StatusOr<int64_t> DeactivateAgentEverywhere(db::Connection& c,
                                                  int64_t user_id);
// Groups where `user_id` is an active agent.
absl::StatusOr<std::vector<int64_t>> GroupsOf(db::Connection& c,
                                              int64_t user_id);

}  // namespace crm::tickets::config_store
