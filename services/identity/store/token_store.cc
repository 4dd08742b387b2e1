#include "services/identity/store/token_store.h"

#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::identity {

absl::Status TokenStore::Insert(const std::string& token_hash, int64_t user_id,
                                const std::string& family_id,
                                absl::Time expires_at) {
  return db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "INSERT INTO refresh_tokens (token_hash, user_id, family_id, "
            "expires_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            {token_hash, user_id, family_id, expires_at, clock_->Now()})
        .status();
  });
}

absl::StatusOr<int64_t> TokenStore::Rotate(const std::string& old_hash,
                                           const std::string& new_hash,
                                           absl::Time new_expires_at) {
  enum class Outcome { kRotated, kUnknown, kExpired, kRevoked, kReused };
  Outcome outcome = Outcome::kUnknown;
  int64_t user_id = 0;
  RETURN_IF_ERROR(
      db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
        outcome = Outcome::kUnknown;
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query("SELECT t.user_id, t.family_id, t.expires_at, "
                                 "t.used_at, t.revoked_at,"
                                 " u.status FROM refresh_tokens t JOIN users u "
                                 "ON u.id = t.user_id"
                                 " WHERE t.token_hash = ? FOR UPDATE",
                                 {old_hash}));
        if (rows.empty()) return absl::OkStatus();
        const db::Row& t = rows.front();
        const absl::Time now = clock_->Now();
        user_id = t.Int("user_id");
        const std::string family = t.String("family_id");
        if (!t.IsNull("revoked_at") || t.Int("status") != 1) {
          outcome = Outcome::kRevoked;
          return absl::OkStatus();
        }
        if (!t.IsNull("used_at")) {
          outcome = Outcome::kReused;
          return c
              .Exec(
                  "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = "
                  "? AND revoked_at IS NULL",
                  {now, family})
              .status();
        }
        if (t.Time("expires_at") <= now) {
          outcome = Outcome::kExpired;
          return absl::OkStatus();
        }
        RETURN_IF_ERROR(
            c.Exec("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?",
                   {now, old_hash})
                .status());
        RETURN_IF_ERROR(c.Exec("INSERT INTO refresh_tokens (token_hash, "
                               "user_id, family_id, expires_at,"
                               " created_at) VALUES (?, ?, ?, ?, ?)",
                               {new_hash, user_id, family, new_expires_at, now})
                            .status());
        outcome = Outcome::kRotated;
        return absl::OkStatus();
      }));
  switch (outcome) {
    case Outcome::kRotated:
      return user_id;
    case Outcome::kUnknown:
      return absl::UnauthenticatedError("unknown refresh token");
    case Outcome::kExpired:
      return absl::UnauthenticatedError("refresh token expired");
    case Outcome::kRevoked:
      return absl::UnauthenticatedError("refresh token revoked");
    case Outcome::kReused:
      return absl::UnauthenticatedError(
          "refresh token already used; the session was revoked");
  }
  return absl::InternalError("unreachable");
}

absl::Status TokenStore::RevokeFamily(const std::string& token_hash) {
  return db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "UPDATE refresh_tokens t JOIN refresh_tokens f ON f.family_id = "
            "t.family_id"
            " SET f.revoked_at = ? WHERE t.token_hash = ? AND f.revoked_at IS "
            "NULL",
            {clock_->Now(), token_hash})
        .status();
  });
}

}  // namespace crm::identity
