// SQL of ImportAccounts: multi-row existence checks and inserts of one batch
// of imported accounts (with their name grams, pool history and primary
// contact), and the stored summaries of finished imports (request_id).
//
// Every batch statement takes its rows as one JSON document expanded with
// JSON_TABLE, so a batch of any size is one prepared statement (the
// statement cache holds one entry, not one per row count).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "common/db/pool.h"
#include "services/accounts/domain/import_rows.h"

namespace crm::accounts {

class ImportStore {
 public:
  explicit ImportStore(std::shared_ptr<db::ConnectionPool> pool)
      : pool_(std::move(pool)) {}

  // Accounts holding any of `keys` (ImportKey form: "credit_code:..." or
  // "phone:..." for persons): key -> account id. One query per call.
  static absl::StatusOr<std::map<std::string, int64_t>> ExistingKeys(
      db::Connection& c, const std::vector<std::string>& keys);

  // Inserts `rows` (valid, normalized, keys not taken) into public pool
  // `pool_id`: accounts, name grams, a kImport pool move each and the
  // primary contact if any. Returns key -> new account id. A key taken
  // meanwhile by a concurrent create fails the statement with
  // ALREADY_EXISTS (the caller re-checks and retries the batch).
  static absl::StatusOr<std::map<std::string, int64_t>> InsertBatch(
      db::Connection& c, const std::vector<const ImportRow*>& rows,
      int64_t pool_id, int64_t actor_id, absl::Time now);

  struct Job {
    int64_t requested_by = 0;
    std::string request_id;
    std::string file_name;
    int64_t pool_id = 0;
    int64_t created = 0, duplicates = 0, invalid = 0;
    std::string response;  // serialized ImportAccountsResponse (binary)
  };
  // The stored summary of a finished import, if any.
  absl::StatusOr<std::optional<Job>> FindJob(int64_t requested_by,
                                             const std::string& request_id);
  // Stores a finished import; an existing row (a concurrent import with
  // the same request_id finished first) is kept.
  static absl::Status SaveJob(db::Connection& c, const Job& job,
                              absl::Time now);
  absl::Status SaveJob(const Job& job, absl::Time now);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
};

}  // namespace crm::accounts
