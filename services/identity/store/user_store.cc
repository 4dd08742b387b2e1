#include "services/identity/store/user_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"

namespace crm::identity {
namespace {

constexpr char kSelectUser[] =
    "SELECT u.id, u.username, u.display_name, u.email, u.phone, u.org_unit_id, "
    "u.org_path,"
    " u.status, u.password_hash, u.failed_logins, u.locked_until, "
    "u.created_at, u.updated_at,"
    " (SELECT GROUP_CONCAT(r.role ORDER BY r.role SEPARATOR ',') FROM "
    "user_roles r"
    "   WHERE r.user_id = u.id) AS roles,"
    " COALESCE((SELECT a.region_code FROM org_units a"
    "   WHERE a.region_code <> '' AND u.org_path LIKE CONCAT(a.path, '%')"
    "   ORDER BY a.depth DESC LIMIT 1), '') AS region_code"
    " FROM users u ";

UserRecord FromRow(const db::Row& r) {
  UserRecord u;
  u.id = r.Int("id");
  u.username = r.String("username");
  u.display_name = r.String("display_name");
  u.email = r.String("email");
  u.phone = r.String("phone");
  u.org_unit_id = r.Int("org_unit_id");
  u.org_path = r.String("org_path");
  u.region_code = r.String("region_code");
  u.status = static_cast<UserStatus>(r.Int("status"));
  u.password_hash = r.String("password_hash");
  u.failed_logins = static_cast<int>(r.Int("failed_logins"));
  u.locked_until = r.OptTime("locked_until");
  u.created_at = r.Time("created_at");
  u.updated_at = r.Time("updated_at");
  const std::string roles = r.String("roles");
  if (!roles.empty()) u.roles = absl::StrSplit(roles, ',');
  return u;
}

absl::StatusOr<UserRecord> GetOn(db::Connection& c, int64_t id,
                                 bool for_update = false) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kSelectUser, "WHERE u.id = ?",
                                           for_update ? " FOR UPDATE" : ""),
                              {id}, absl::StrCat("user ", id)));
  return FromRow(row);
}

absl::StatusOr<std::string> UnitPath(db::Connection& c, int64_t org_unit_id) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT path FROM org_units WHERE id = ? LOCK IN SHARE MODE",
              {org_unit_id}));
  if (rows.empty()) {
    return absl::NotFoundError(
        absl::StrCat("org_unit_id: org unit ", org_unit_id, " not found"));
  }
  return rows.front().String("path");
}

absl::Status ReplaceRoles(db::Connection& c, int64_t user_id,
                          const std::vector<std::string>& roles) {
  RETURN_IF_ERROR(
      c.Exec("DELETE FROM user_roles WHERE user_id = ?", {user_id}).status());
  for (const std::string& role : roles) {
    RETURN_IF_ERROR(
        c.Exec("INSERT INTO user_roles (user_id, role) VALUES (?, ?)",
               {user_id, role})
            .status());
  }
  return absl::OkStatus();
}

std::vector<UserRecord> FromRows(const db::Rows& rows) {
  std::vector<UserRecord> out;
  out.reserve(rows.size());
  for (const db::Row& r : rows) out.push_back(FromRow(r));
  return out;
}

}  // namespace

absl::StatusOr<UserRecord> UserStore::Create(const UserRecord& user,
                                             const std::string& request_id) {
  return db::RunInTransactionFor<UserRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<UserRecord> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(
                  absl::StrCat(kSelectUser, "WHERE u.create_request_id = ?"),
                  {request_id}));
          if (!prior.empty()) return FromRow(prior.front());
        }
        ASSIGN_OR_RETURN(std::string path, UnitPath(c, user.org_unit_id));
        const absl::Time now = clock_->Now();
        auto inserted = c.Exec(
            "INSERT INTO users (username, display_name, email, phone, "
            "org_unit_id, org_path, status,"
            " password_hash, create_request_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {user.username, user.display_name, user.email, user.phone,
             user.org_unit_id, path, static_cast<int>(UserStatus::kActive),
             user.password_hash,
             request_id.empty() ? db::Param(nullptr) : db::Param(request_id),
             now, now});
        if (absl::IsAlreadyExists(inserted.status())) {
          ASSIGN_OR_RETURN(db::Rows existing,
                           c.Query("SELECT id FROM users WHERE username = ?",
                                   {user.username}));
          return absl::AlreadyExistsError(absl::StrCat(
              "username: \"", user.username, "\" is taken",
              existing.empty()
                  ? ""
                  : absl::StrCat(" by user ", existing.front().Int("id"))));
        }
        if (!inserted.ok()) return inserted.status();
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        RETURN_IF_ERROR(ReplaceRoles(c, id, user.roles));
        return GetOn(c, id);
      });
}

absl::StatusOr<UserRecord> UserStore::Get(int64_t id) {
  std::optional<UserRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetOn(c, id));
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<std::optional<UserRecord>> UserStore::FindByUsername(
    const std::string& username) {
  std::optional<UserRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kSelectUser, "WHERE u.username = ?"),
                    {username}));
        if (!rows.empty()) out = FromRow(rows.front());
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<UserRecord>> UserStore::BatchGet(
    const std::vector<int64_t>& ids, const auth::SqlPredicate& scope) {
  std::vector<UserRecord> out;
  if (ids.empty()) return out;
  // One statement for any number of ids: the id list travels as a JSON
  // array and JSON_TABLE turns it into rows joined on the primary key.
  const std::string sql =
      absl::StrCat(kSelectUser,
                   "JOIN JSON_TABLE(?, '$[*]' COLUMNS (want BIGINT PATH '$')) "
                   "w ON w.want = u.id"
                   " WHERE ",
                   scope.sql, " ORDER BY u.id");
  std::vector<db::Param> params = {nlohmann::json(ids).dump()};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
        out = FromRows(rows);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<UserRecord>> UserStore::List(
    const ListFilter& f, const auth::SqlPredicate& scope) {
  std::string sql = absl::StrCat(kSelectUser, "WHERE u.id > ? AND ", scope.sql);
  std::vector<db::Param> params = {f.after_id};
  params.insert(params.end(), scope.params.begin(), scope.params.end());
  if (!f.subtree_path.empty()) {
    sql += " AND u.org_path LIKE ?";
    params.push_back(absl::StrCat(auth::EscapeLike(f.subtree_path), "%"));
  }
  if (f.status.has_value()) {
    sql += " AND u.status = ?";
    params.push_back(static_cast<int>(*f.status));
  }
  if (!f.role.empty()) {
    sql +=
        " AND EXISTS (SELECT 1 FROM user_roles rr WHERE rr.user_id = u.id AND "
        "rr.role = ?)";
    params.push_back(f.role);
  }
  sql += " ORDER BY u.id LIMIT ?";
  params.push_back(f.limit);
  std::vector<UserRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
        out = FromRows(rows);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<UserRecord> UserStore::Update(int64_t id, const Changes& ch) {
  return db::RunInTransactionFor<
      UserRecord>(*pool_, [&](db::Connection& c) -> absl::StatusOr<UserRecord> {
    ASSIGN_OR_RETURN(UserRecord u, GetOn(c, id, true));
    const absl::Time now = clock_->Now();
    std::string path = u.org_path;
    const bool moved =
        ch.org_unit_id.has_value() && *ch.org_unit_id != u.org_unit_id;
    if (moved) {
      ASSIGN_OR_RETURN(path, UnitPath(c, *ch.org_unit_id));
    }
    RETURN_IF_ERROR(
        c.Exec(
             "UPDATE users SET display_name = ?, email = ?, phone = ?,"
             " org_unit_id = ?, org_path = ?, password_hash = ?, updated_at = ?"
             " WHERE id = ?",
             {ch.display_name.value_or(u.display_name),
              ch.email.value_or(u.email), ch.phone.value_or(u.phone),
              ch.org_unit_id.value_or(u.org_unit_id), path,
              ch.password_hash.value_or(u.password_hash), now, id})
            .status());
    if (ch.roles.has_value()) RETURN_IF_ERROR(ReplaceRoles(c, id, *ch.roles));
    if (ch.password_hash.has_value()) {
      // A new password ends every session opened with the old one.
      RETURN_IF_ERROR(
          c.Exec("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ?"
                 " AND revoked_at IS NULL",
                 {now, id})
              .status());
    }
    if (moved) {
      RETURN_IF_ERROR(
          events::AppendToOutbox(c, events::StreamFor("identity"),
                                 "UserOrgChanged", absl::StrCat(id),
                                 {{"user_id", id},
                                  {"old_org_unit_id", u.org_unit_id},
                                  {"old_org_path", u.org_path},
                                  {"new_org_unit_id", *ch.org_unit_id},
                                  {"new_org_path", path}},
                                 now)
              .status());
    }
    return GetOn(c, id);
  });
}

absl::StatusOr<UserRecord> UserStore::Deactivate(int64_t id,
                                                 int64_t by_user_id) {
  return db::RunInTransactionFor<UserRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<UserRecord> {
        ASSIGN_OR_RETURN(UserRecord u, GetOn(c, id, true));
        if (u.status == UserStatus::kInactive) return u;
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec("UPDATE users SET status = ?, updated_at = ? WHERE id = ?",
                   {static_cast<int>(UserStatus::kInactive), now, id})
                .status());
        RETURN_IF_ERROR(
            c.Exec("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ?"
                   " AND revoked_at IS NULL",
                   {now, id})
                .status());
        // Later: the accounts service moves this rep's customers on this event.
        RETURN_IF_ERROR(events::AppendToOutbox(c, events::StreamFor("identity"),
                                               "UserDeactivated",
                                               absl::StrCat(id),
                                               {{"user_id", id},
                                                {"org_unit_id", u.org_unit_id},
                                                {"org_path", u.org_path},
                                                {"deactivated_by", by_user_id}},
                                               now)
                            .status());
        return GetOn(c, id);
      });
}

absl::Status UserStore::RecordFailedLogin(int64_t id,
                                          const LoginPolicy& policy) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(
        db::Row row,
        c.QueryOne("SELECT failed_logins FROM users WHERE id = ? FOR UPDATE",
                   {id}, "user"));
    const FailureOutcome out = AfterFailedLogin(
        static_cast<int>(row.Int("failed_logins")), clock_->Now(), policy);
    return c
        .Exec(
            "UPDATE users SET failed_logins = ?, locked_until = COALESCE(?, "
            "locked_until)"
            " WHERE id = ?",
            {out.failed_logins, out.locked_until, id})
        .status();
  });
}

absl::Status UserStore::RecordSuccessfulLogin(
    int64_t id, const std::optional<std::string>& new_hash) {
  return db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "UPDATE users SET failed_logins = 0, locked_until = NULL,"
            " password_hash = COALESCE(?, password_hash) WHERE id = ?",
            {new_hash, id})
        .status();
  });
}

absl::StatusOr<int64_t> UserStore::CountUsers() {
  int64_t n = 0;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne("SELECT COUNT(*) AS n FROM users", {}, "count"));
        n = row.Int("n");
        return absl::OkStatus();
      }));
  return n;
}

}  // namespace crm::identity
