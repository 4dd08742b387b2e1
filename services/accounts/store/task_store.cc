#include "services/accounts/store/task_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::accounts {
namespace {

constexpr char kSelectTask[] =
    "SELECT id, assignee_id, assignee_org_path, title, account_id, due_at,"
    " status, kind, created_by, dedupe_key, created_at, completed_at"
    " FROM tasks ";

TaskRecord TaskFromRow(const db::Row& r) {
  TaskRecord t;
  t.id = r.Int("id");
  t.assignee_id = r.Int("assignee_id");
  t.assignee_org_path = r.String("assignee_org_path");
  t.title = r.String("title");
  t.account_id = r.OptInt("account_id");
  t.due_at = r.Time("due_at");
  t.status = static_cast<TaskStatus>(r.Int("status"));
  t.kind = r.String("kind");
  t.created_by = r.Int("created_by");
  t.dedupe_key = r.OptString("dedupe_key");
  t.created_at = r.Time("created_at");
  t.completed_at = r.OptTime("completed_at");
  return t;
}

absl::StatusOr<TaskRecord> GetOn(db::Connection& c, int64_t id,
                                 bool for_update) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kSelectTask, "WHERE id = ?",
                                           for_update ? " FOR UPDATE" : ""),
                              {id}, absl::StrCat("task ", id)));
  return TaskFromRow(row);
}

// The existing row for `t`'s dedupe key, or the newly inserted one.
absl::StatusOr<TaskRecord> CreateOn(db::Connection& c, const TaskRecord& t,
                                    absl::Time now) {
  if (t.dedupe_key.has_value()) {
    ASSIGN_OR_RETURN(db::Rows prior,
                     c.Query(absl::StrCat(kSelectTask, "WHERE dedupe_key = ?"),
                             {*t.dedupe_key}));
    if (!prior.empty()) return TaskFromRow(prior.front());
  }
  ASSIGN_OR_RETURN(bool added, InsertTaskOn(c, t, now));
  if (!added) {
    // A concurrent twin won the unique key between our read and insert.
    return absl::AbortedError("task created concurrently; retry");
  }
  ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
  return GetOn(c, id, false);
}

}  // namespace

absl::StatusOr<bool> InsertTaskOn(db::Connection& c, const TaskRecord& t,
                                  absl::Time now) {
  ASSIGN_OR_RETURN(
      int64_t n,
      c.Exec(
          "INSERT IGNORE INTO tasks (assignee_id, assignee_org_path, title,"
          " account_id, due_at, status, kind, created_by, dedupe_key,"
          " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {t.assignee_id, t.assignee_org_path, t.title, t.account_id, t.due_at,
           static_cast<int>(t.status), t.kind, t.created_by, t.dedupe_key, now,
           now}));
  return n == 1;
}

absl::StatusOr<TaskRecord> TaskStore::Create(const TaskRecord& t) {
  return db::RunInTransactionFor<TaskRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<TaskRecord> {
        return CreateOn(c, t, clock_->Now());
      });
}

absl::StatusOr<std::vector<TaskRecord>> TaskStore::CreateAll(
    const std::vector<TaskRecord>& tasks) {
  using Out = std::vector<TaskRecord>;
  return db::RunInTransactionFor<Out>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<Out> {
        const absl::Time now = clock_->Now();
        Out out;
        out.reserve(tasks.size());
        for (const TaskRecord& t : tasks) {
          ASSIGN_OR_RETURN(TaskRecord created, CreateOn(c, t, now));
          out.push_back(std::move(created));
        }
        return out;
      });
}

absl::StatusOr<std::vector<TaskRecord>> TaskStore::FindByKeyPrefix(
    const std::string& prefix) {
  std::vector<TaskRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        // A prefix LIKE on the unique key: an index range scan.
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kSelectTask,
                                 "WHERE dedupe_key LIKE ? ORDER BY id"),
                    {absl::StrCat(auth::EscapeLike(prefix), "%")}));
        for (const db::Row& r : rows) out.push_back(TaskFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<TaskRecord> TaskStore::Get(int64_t id) {
  std::optional<TaskRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetOn(c, id, false));
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<std::vector<TaskRecord>> TaskStore::ListFor(int64_t assignee_id,
                                                           bool include_done,
                                                           int64_t after_id,
                                                           int limit) {
  std::vector<TaskRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        // Keyset on (status, due_at, id) served by idx_tasks_mine; the
        // cursor's values come from the last row of the previous page.
        int64_t s = 0;
        absl::Time due = absl::UnixEpoch();
        int64_t id = 0;
        if (after_id > 0) {
          ASSIGN_OR_RETURN(
              db::Rows last,
              c.Query("SELECT status, due_at FROM tasks WHERE id = ? AND "
                      "assignee_id = ?",
                      {after_id, assignee_id}));
          if (last.empty())
            return InvalidField("page_token", "does not match this list");
          s = last.front().Int("status");
          due = last.front().Time("due_at");
          id = after_id;
        }
        const int max_status = include_done ? 2 : 1;
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kSelectTask,
                                 "WHERE assignee_id = ? AND status <= ? AND ("
                                 " status > ? OR (status = ? AND due_at > ?)"
                                 " OR (status = ? AND due_at = ? AND id > ?))"
                                 " ORDER BY status, due_at, id LIMIT ?"),
                    {assignee_id, max_status, s, s, due, s, due, id, limit}));
        for (const db::Row& r : rows) out.push_back(TaskFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<TaskRecord> TaskStore::Complete(int64_t id) {
  return db::RunInTransactionFor<TaskRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<TaskRecord> {
        ASSIGN_OR_RETURN(TaskRecord t, GetOn(c, id, true));
        if (t.status == TaskStatus::kDone) return t;
        if (t.status == TaskStatus::kCancelled) {
          return absl::FailedPreconditionError(
              absl::StrCat("task ", id, " was cancelled"));
        }
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(c.Exec("UPDATE tasks SET status = 2, completed_at = ?,"
                               " updated_at = ? WHERE id = ? AND status = 1",
                               {now, now, id})
                            .status());
        return GetOn(c, id, false);
      });
}

}  // namespace crm::accounts
