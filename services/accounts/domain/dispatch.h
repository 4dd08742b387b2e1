// Bulk dispatch of accounts to team members (任务中心 "批量分配"), pure.
//
// The split is deterministic and documented so a manager can predict it:
//   1. the account ids are sorted ascending (the request order does not
//      matter);
//   2. with n accounts and k assignees, every assignee gets n / k accounts
//      and the FIRST n % k assignees, in the order the request names them,
//      get one more (chunk sizes differ by at most one);
//   3. the chunks are contiguous: assignee 1 gets the smallest ids, then
//      assignee 2, and so on. With fewer accounts than assignees the last
//      assignees get nothing.
// Example: 10 accounts over reps [a, b, c] -> a: 4, b: 3, c: 3.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace crm::accounts {

struct DispatchItem {
  int64_t account_id = 0;
  int64_t assignee_id = 0;
};

// INVALID_ARGUMENT "<field>: <rule>" for empty lists, non-positive or
// duplicate ids, or lists over the limits.
absl::Status ValidateDispatch(const std::vector<int64_t>& account_ids,
                              const std::vector<int64_t>& assignee_ids);

inline constexpr int kMaxDispatchAccounts = 1000;
inline constexpr int kMaxDispatchAssignees = 100;

// The split described above, in ascending account id order. Expects input
// that passed ValidateDispatch.
std::vector<DispatchItem> SplitEvenly(std::vector<int64_t> account_ids,
                                      const std::vector<int64_t>& assignee_ids);

}  // namespace crm::accounts
