// SQL for the task center: manual, dispatched and system tasks.
//
// Every creation that may be repeated (a client retry with the same
// request_id, a recycle pass run twice) carries a dedupe key, unique in the
// table, so the second attempt finds the row of the first (see
// migrations/0003_tasks_recycle.sql for the key formats).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"

namespace crm::accounts {

enum class TaskStatus { kOpen = 1, kDone = 2, kCancelled = 3 };

inline constexpr char kTaskManual[] = "manual";
inline constexpr char kTaskDispatch[] = "dispatch";
inline constexpr char kTaskRecycleWarning[] = "recycle_warning";
inline constexpr char kTaskChurnRisk[] = "churn_risk";
inline constexpr char kTaskStaleOpportunity[] = "stale_opportunity";
inline constexpr char kTaskCollection[] = "collection";

struct TaskRecord {
  int64_t id = 0;
  int64_t assignee_id = 0;
  std::string assignee_org_path;
  std::string title;
  std::optional<int64_t> account_id;
  absl::Time due_at;
  TaskStatus status = TaskStatus::kOpen;
  std::string kind = kTaskManual;
  int64_t created_by = 0;  // 0 = the system
  std::optional<std::string> dedupe_key;
  absl::Time created_at;
  std::optional<absl::Time> completed_at;
};

class TaskStore {
 public:
  TaskStore(std::shared_ptr<db::ConnectionPool> pool,
            std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Inserts the task; with a dedupe key that exists, returns that row.
  absl::StatusOr<TaskRecord> Create(const TaskRecord& t);
  // Inserts all tasks in one transaction (all or none), each with its own
  // dedupe key; rows whose key exists are returned as they are.
  absl::StatusOr<std::vector<TaskRecord>> CreateAll(
      const std::vector<TaskRecord>& tasks);
  // Tasks whose dedupe key starts with `prefix`, by id.
  absl::StatusOr<std::vector<TaskRecord>> FindByKeyPrefix(
      const std::string& prefix);

  absl::StatusOr<TaskRecord> Get(int64_t id);

  // One page of the assignee's tasks: open first, then (with include_done)
  // done ones; each group by due time, then id. `after_id` is the last task
  // of the previous page (0 for the first page).
  absl::StatusOr<std::vector<TaskRecord>> ListFor(int64_t assignee_id,
                                                  bool include_done,
                                                  int64_t after_id, int limit);

  // Marks an open task done. Done stays done (idempotent); FAILED_PRECONDITION
  // for a cancelled task.
  absl::StatusOr<TaskRecord> Complete(int64_t id);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

// For other stores that write tasks inside their own transaction (the
// recycle pass): INSERT IGNORE on the dedupe key; true when a row was added.
absl::StatusOr<bool> InsertTaskOn(db::Connection& c, const TaskRecord& t,
                                  absl::Time now);

}  // namespace crm::accounts
