#include "services/accounts/domain/dispatch.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::accounts {
namespace {

absl::Status ValidateIds(const char* field, const std::vector<int64_t>& ids,
                         int max) {
  if (ids.empty()) return InvalidField(field, "at least one id is required");
  if (static_cast<int>(ids.size()) > max)
    return InvalidField(field, absl::StrCat("at most ", max, " ids"));
  std::set<int64_t> seen;
  for (int64_t id : ids) {
    if (id <= 0) return InvalidField(field, "ids must be positive");
    if (!seen.insert(id).second)
      return InvalidField(field, absl::StrCat("id ", id, " is listed twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateDispatch(const std::vector<int64_t>& account_ids,
                              const std::vector<int64_t>& assignee_ids) {
  RETURN_IF_ERROR(
      ValidateIds("account_ids", account_ids, kMaxDispatchAccounts));
  return ValidateIds("assignee_ids", assignee_ids, kMaxDispatchAssignees);
}

std::vector<DispatchItem> SplitEvenly(
    std::vector<int64_t> account_ids,
    const std::vector<int64_t>& assignee_ids) {
  std::vector<DispatchItem> out;
  if (assignee_ids.empty()) return out;
  std::sort(account_ids.begin(), account_ids.end());
  const size_t k = assignee_ids.size();
  const size_t base = account_ids.size() / k;
  const size_t extra = account_ids.size() % k;
  size_t next = 0;
  for (size_t i = 0; i < k; ++i) {
    const size_t take = base + (i < extra ? 1 : 0);
    for (size_t j = 0; j < take; ++j)
      out.push_back({account_ids[next++], assignee_ids[i]});
  }
  return out;
}

}  // namespace crm::accounts
