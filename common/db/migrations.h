// Forward-only schema migrations.
//
// Each service keeps services/<svc>/migrations/NNNN_<what>.sql. The build
// embeds them into the binary (crm_embed_migrations in CMake), so a
// container needs no SQL files at run time. At start-up RunMigrations applies
// every migration not yet recorded in schema_migrations, in version order.
// Two replicas starting at once serialize on a MySQL named lock
// (GET_LOCK), so each migration runs exactly once. A file's checksum is
// recorded; an applied migration whose text later changed is an error
// (forward-only: write a new migration instead).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/db/pool.h"

namespace crm::db {

struct Migration {
  std::string version;  // "0001"
  std::string name;     // "0001_init.sql"
  std::string sql;      // statements separated by ';' at end of line
};

// Splits a migration into statements: ';' ends a statement unless inside a
// quote or a comment. Comment-only statements are dropped.
std::vector<std::string> SplitSqlStatements(const std::string& sql);

// Applies pending migrations; returns how many were applied.
absl::StatusOr<int> RunMigrations(ConnectionPool& pool,
                                  const std::vector<Migration>& migrations,
                                  absl::Duration lock_wait = absl::Seconds(60));

}  // namespace crm::db
