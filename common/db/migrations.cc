#include "common/db/migrations.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace crm::db {
namespace {

// FNV-1a 64-bit: a change detector for migration text, not security.
std::string Checksum(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrCat(absl::Hex(h, absl::kZeroPad16));
}

bool IsBlankOrComment(const std::string& stmt) {
  absl::string_view rest = absl::StripAsciiWhitespace(stmt);
  while (!rest.empty()) {
    if (rest.substr(0, 2) == "--" || rest.front() == '#') {
      size_t nl = rest.find('\n');
      rest = nl == absl::string_view::npos ? absl::string_view()
                                           : rest.substr(nl + 1);
      rest = absl::StripLeadingAsciiWhitespace(rest);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> SplitSqlStatements(const std::string& sql) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool line_comment = false;
  bool block_comment = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    cur.push_back(c);
    if (line_comment) {
      if (c == '\n') line_comment = false;
    } else if (block_comment) {
      if (c == '*' && next == '/') {
        cur.push_back(next);
        ++i;
        block_comment = false;
      }
    } else if (quote != 0) {
      if (c == '\\' && next != '\0') {
        cur.push_back(next);
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '-' && next == '-') {
      line_comment = true;
    } else if (c == '#') {
      line_comment = true;
    } else if (c == '/' && next == '*') {
      block_comment = true;
    } else if (c == ';') {
      cur.pop_back();
      if (!IsBlankOrComment(cur))
        out.emplace_back(absl::StripAsciiWhitespace(cur));
      cur.clear();
    }
  }
  if (!IsBlankOrComment(cur)) out.emplace_back(absl::StripAsciiWhitespace(cur));
  return out;
}

absl::StatusOr<int> RunMigrations(ConnectionPool& pool,
                                  const std::vector<Migration>& migrations,
                                  absl::Duration lock_wait) {
  ASSIGN_OR_RETURN(PooledConnection conn, pool.Borrow());
  RETURN_IF_ERROR(conn->ExecRaw(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version VARCHAR(32) NOT NULL PRIMARY KEY,"
      " name VARCHAR(255) NOT NULL,"
      " checksum CHAR(16) NOT NULL,"
      " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"));

  // The lock name is per schema: replicas of one service exclude each other,
  // different services (schemas) on one server do not.
  const std::string lock_name =
      absl::StrCat("crm_migrations_", pool.options().schema);
  ASSIGN_OR_RETURN(
      Row got,
      conn->QueryOne("SELECT GET_LOCK(?, ?) AS got",
                     {lock_name, absl::ToInt64Seconds(lock_wait)}, "lock"));
  if (got.Int("got") != 1) {
    return absl::DeadlineExceededError(
        absl::StrCat("another process holds the migration lock ", lock_name));
  }
  struct Unlock {
    Connection& c;
    std::string name;
    ~Unlock() { (void)c.Query("SELECT RELEASE_LOCK(?) AS r", {name}); }
  } unlock{*conn, lock_name};

  ASSIGN_OR_RETURN(
      Rows applied_rows,
      conn->Query("SELECT version, checksum FROM schema_migrations"));
  std::map<std::string, std::string> applied;
  for (const Row& r : applied_rows)
    applied[r.String("version")] = r.String("checksum");

  std::vector<Migration> sorted = migrations;
  std::sort(sorted.begin(), sorted.end(),
            [](const Migration& a, const Migration& b) {
              return a.version < b.version;
            });
  int count = 0;
  for (const Migration& m : sorted) {
    const std::string sum = Checksum(m.sql);
    if (auto it = applied.find(m.version); it != applied.end()) {
      if (it->second != sum) {
        return absl::FailedPreconditionError(absl::StrCat(
            "migration ", m.name,
            " changed after it was applied; add a new migration instead"));
      }
      continue;
    }
    for (const std::string& stmt : SplitSqlStatements(m.sql)) {
      if (absl::Status s = conn->ExecRaw(stmt); !s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat("migration ", m.name, ": ", s.message()));
      }
    }
    RETURN_IF_ERROR(conn->Exec("INSERT INTO schema_migrations (version, name, "
                               "checksum) VALUES (?, ?, ?)",
                               {m.version, m.name, sum})
                        .status());
    log::Info("migration applied",
              {{"schema", pool.options().schema}, {"migration", m.name}});
    ++count;
  }
  return count;
}

}  // namespace crm::db
