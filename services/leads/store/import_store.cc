#include "services/leads/store/import_store.h"

#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::leads {

absl::StatusOr<std::optional<std::string>> ImportStore::Find(
    int64_t user_id, const std::string& request_id) {
  std::optional<std::string> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query("SELECT response FROM lead_import_jobs WHERE "
                                 "requested_by = ? AND request_id = ?",
                                 {user_id, request_id}));
        if (!rows.empty()) out = rows.front().String("response");
        return absl::OkStatus();
      }));
  return out;
}

absl::Status ImportStore::Save(int64_t user_id, const std::string& request_id,
                               const std::string& file_name,
                               const std::string& response, absl::Time now) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "INSERT IGNORE INTO lead_import_jobs (requested_by, request_id, "
            "file_name, response, created_at) VALUES (?, ?, ?, ?, ?)",
            {user_id, request_id, file_name, response, now})
        .status();
  });
}

}  // namespace crm::leads
