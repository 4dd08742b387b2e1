#include "services/tickets/domain/auto_assign.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace crm::tickets {

absl::StatusOr<int64_t> PickAgent(const std::vector<AgentLoad>& agents,
                                  const std::string& skill,
                                  int64_t last_picked) {
  int64_t least = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> tied;
  for (const AgentLoad& a : agents) {
    if (!a.active) continue;
    if (!skill.empty() &&
        std::find(a.skills.begin(), a.skills.end(), skill) == a.skills.end()) {
      continue;
    }
    if (a.open_tickets < least) {
      least = a.open_tickets;
      tied.clear();
    }
    if (a.open_tickets == least) tied.push_back(a.user_id);
  }
  if (tied.empty()) {
    return absl::FailedPreconditionError(
        skill.empty()
            ? std::string("the group has no active agent")
            : absl::StrCat("no active agent of the group has skill ", skill));
  }
  std::sort(tied.begin(), tied.end());
  for (int64_t id : tied) {
    if (id > last_picked) return id;
  }
  return tied.front();
}

}  // namespace crm::tickets
