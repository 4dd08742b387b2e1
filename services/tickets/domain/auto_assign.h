// Automatic assignment (pure): the least-loaded active agent of the group
// with the needed skill; ties broken round-robin by user id after the agent
// picked last time for the group (wrapping around).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::tickets {

struct AgentLoad {
  int64_t user_id = 0;
  std::vector<std::string> skills;
  bool active = true;
  int64_t open_tickets = 0;
};

// FAILED_PRECONDITION when no active agent has `skill` (empty = any).
absl::StatusOr<int64_t> PickAgent(const std::vector<AgentLoad>& agents,
                                  const std::string& skill,
                                  int64_t last_picked);

}  // namespace crm::tickets
