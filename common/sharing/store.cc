#include "common/sharing/store.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"

namespace crm::sharing {
namespace {

constexpr char kColumns[] =
    "s.id, s.entity_type, s.entity_id, s.grantee_id, s.access, s.active, "
    "s.granted_by, s.granted_at, s.revoked_by, s.revoked_at";

Share FromRow(const db::Row& r) {
  Share s;
  s.id = r.Int("id");
  s.entity_type = r.String("entity_type");
  s.entity_id = r.Int("entity_id");
  s.grantee_id = r.Int("grantee_id");
  s.access = AccessFromInt(r.Int("access"));
  s.active = r.Bool("active");
  s.granted_by = r.Int("granted_by");
  s.granted_at = r.Time("granted_at");
  s.revoked_by = r.Int("revoked_by");
  s.revoked_at = r.OptTime("revoked_at");
  return s;
}

absl::StatusOr<std::optional<Share>> FindOn(db::Connection& c,
                                            std::string_view entity_type,
                                            int64_t entity_id,
                                            int64_t grantee_id,
                                            bool for_update) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat("SELECT ", kColumns,
                           " FROM record_share s WHERE s.entity_type = ? AND "
                           "s.entity_id = ? AND s.grantee_id = ?",
                           for_update ? " FOR UPDATE" : ""),
              {entity_type, entity_id, grantee_id}));
  if (rows.empty()) return std::optional<Share>();
  return std::optional<Share>(FromRow(rows.front()));
}

absl::StatusOr<RecordRef> RecordOn(db::Connection& c, const Target& target,
                                   int64_t id, bool for_update) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat("SELECT owner_id, owner_org_path FROM ",
                                        target.table, " WHERE id = ?",
                                        for_update ? " FOR UPDATE" : ""),
                           {id}));
  RecordRef r;
  r.entity_type = target.entity_type;
  r.entity_id = id;
  if (rows.empty()) return NotFoundRecord(r);
  r.owner_id = rows.front().Int("owner_id");
  r.owner_org_path = rows.front().String("owner_org_path");
  return r;
}

// The record's owner must be the one the rules checked.
absl::StatusOr<RecordRef> Recheck(db::Connection& c, const Target& target,
                                  const RecordRef& checked) {
  ASSIGN_OR_RETURN(RecordRef now,
                   RecordOn(c, target, checked.entity_id, /*for_update=*/true));
  if (now.owner_id != checked.owner_id ||
      now.owner_org_path != checked.owner_org_path) {
    return absl::AbortedError(
        absl::StrCat(target.entity_type, " ", checked.entity_id,
                     " changed owner while sharing; retry"));
  }
  return now;
}

absl::Status RecordRequest(db::Connection& c, const std::string& request_id,
                           std::string_view action, const Share& s,
                           absl::Time now) {
  absl::StatusOr<int64_t> inserted = c.Exec(
      "INSERT INTO record_share_request (request_id, action, share_id, "
      "entity_type, entity_id, grantee_id, access, active, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {request_id, action, s.id, s.entity_type, s.entity_id, s.grantee_id,
       static_cast<int>(s.access), s.active, now});
  if (!inserted.ok() &&
      db::MysqlErrorOf(inserted.status()) == db::kErrDuplicateEntry) {
    return absl::AbortedError(
        "request_id: a request with this id ran concurrently; retry");
  }
  return inserted.status();
}

absl::Status AuditShare(db::Connection& c, const RecordRef& r,
                        std::string_view action, int64_t grantee_id,
                        Access before, Access after, int64_t actor,
                        const std::string& request_id, absl::Time now) {
  audit::AuditEntry e;
  e.entity_type = r.entity_type;
  e.entity_id = absl::StrCat(r.entity_id);
  e.action = std::string(action);
  e.actor_id = actor;
  e.request_id = request_id;
  e.at = now;
  e.owner_id = r.owner_id;
  e.owner_org_path = r.owner_org_path;
  audit::FieldChange ch;
  ch.field = absl::StrCat("shares.", grantee_id);
  if (before != Access::kNone) ch.old_value = std::string(AccessName(before));
  if (after != Access::kNone) ch.new_value = std::string(AccessName(after));
  e.changes.push_back(std::move(ch));
  e.note = after == Access::kNone
               ? absl::StrCat("share with user ", grantee_id, " revoked")
               : absl::StrCat("shared with user ", grantee_id, " (",
                              AccessName(after), ")");
  return audit::Append(c, std::move(e));
}

// RecordShared / RecordShareRevoked on the target's stream (the message
// center or any other consumer may notify the grantee).
absl::Status Publish(db::Connection& c, const Target& target,
                     const RecordRef& r, std::string_view type,
                     int64_t grantee_id, Access before, Access after,
                     int64_t actor, const std::string& request_id,
                     absl::Time now) {
  if (target.stream.empty()) return absl::OkStatus();
  nlohmann::json payload = {{"entity_type", r.entity_type},
                            {"entity_id", r.entity_id},
                            {"grantee_id", grantee_id},
                            {"access", AccessName(after)},
                            {"previous_access", AccessName(before)},
                            {"actor_id", actor},
                            {"owner_id", r.owner_id},
                            {"owner_org_path", r.owner_org_path},
                            {"request_id", request_id}};
  return events::AppendToOutbox(c, target.stream, std::string(type),
                                absl::StrCat(r.entity_type, ":", r.entity_id),
                                payload, now)
      .status();
}

}  // namespace

ShareStore::ShareStore(std::shared_ptr<db::ConnectionPool> pool,
                       std::shared_ptr<const Clock> clock)
    : pool_(std::move(pool)), clock_(std::move(clock)) {}

absl::StatusOr<Access> ShareStore::AccessOf(std::string_view entity_type,
                                            int64_t entity_id,
                                            int64_t user_id) {
  if (user_id <= 0 || entity_id <= 0) return Access::kNone;
  Access out = Access::kNone;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query("SELECT access FROM record_share WHERE entity_type = ? "
                    "AND entity_id = ? AND grantee_id = ? AND active = 1",
                    {entity_type, entity_id, user_id}));
        if (!rows.empty()) out = AccessFromInt(rows.front().Int("access"));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<RecordRef> ShareStore::Record(const Target& target, int64_t id) {
  RecordRef out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, RecordOn(c, target, id, false));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<Share>> ShareStore::Find(
    std::string_view entity_type, int64_t entity_id, int64_t grantee_id) {
  std::optional<Share> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out,
                         FindOn(c, entity_type, entity_id, grantee_id, false));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<PriorRequest>> ShareStore::FindRequest(
    const std::string& request_id) {
  std::optional<PriorRequest> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                        "SELECT q.action, q.access AS q_access, q.active AS "
                        "q_active, ",
                        kColumns,
                        " FROM record_share_request q JOIN record_share s ON "
                        "s.id = q.share_id WHERE q.request_id = ?"),
                    {request_id}));
        if (rows.empty()) return absl::OkStatus();
        PriorRequest p;
        p.action = rows.front().String("action");
        p.share = FromRow(rows.front());
        // As the first call left it.
        p.share.access = AccessFromInt(rows.front().Int("q_access"));
        p.share.active = rows.front().Bool("q_active");
        out = std::move(p);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<Share> ShareStore::Grant(const Target& target,
                                        const RecordRef& checked,
                                        int64_t grantee_id, Access access,
                                        int64_t granter,
                                        const std::string& request_id) {
  const absl::Time now = clock_->Now();
  return db::RunInTransactionFor<Share>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<Share> {
        ASSIGN_OR_RETURN(RecordRef r, Recheck(c, target, checked));
        ASSIGN_OR_RETURN(std::optional<Share> cur,
                         FindOn(c, target.entity_type, checked.entity_id,
                                grantee_id, /*for_update=*/true));
        const Access before =
            cur.has_value() && cur->active ? cur->access : Access::kNone;
        if (before != access) {
          RETURN_IF_ERROR(
              c.Exec("INSERT INTO record_share (entity_type, entity_id, "
                     "grantee_id, access, active, granted_by, granted_at) "
                     "VALUES (?, ?, ?, ?, 1, ?, ?) ON DUPLICATE KEY UPDATE "
                     "access = VALUES(access), active = 1, granted_by = "
                     "VALUES(granted_by), granted_at = VALUES(granted_at), "
                     "revoked_by = 0, revoked_at = NULL",
                     {target.entity_type, checked.entity_id, grantee_id,
                      static_cast<int>(access), granter, now})
                  .status());
          RETURN_IF_ERROR(AuditShare(c, r, kActionShare, grantee_id, before,
                                     access, granter, request_id, now));
          RETURN_IF_ERROR(Publish(c, target, r, "RecordShared", grantee_id,
                                  before, access, granter, request_id, now));
        }
        ASSIGN_OR_RETURN(cur, FindOn(c, target.entity_type, checked.entity_id,
                                     grantee_id, false));
        if (!cur.has_value()) return absl::InternalError("share vanished");
        RETURN_IF_ERROR(RecordRequest(c, request_id, kActionShare, *cur, now));
        return *cur;
      });
}

absl::StatusOr<Share> ShareStore::Revoke(const Target& target,
                                         const RecordRef& checked,
                                         int64_t grantee_id, int64_t revoker,
                                         const std::string& request_id) {
  const absl::Time now = clock_->Now();
  return db::RunInTransactionFor<Share>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<Share> {
        ASSIGN_OR_RETURN(RecordRef r, Recheck(c, target, checked));
        ASSIGN_OR_RETURN(std::optional<Share> cur,
                         FindOn(c, target.entity_type, checked.entity_id,
                                grantee_id, /*for_update=*/true));
        if (!cur.has_value()) {
          return absl::NotFoundError(
              absl::StrCat("user ", grantee_id, " has no share on ",
                           target.entity_type, " ", checked.entity_id));
        }
        if (cur->active) {
          RETURN_IF_ERROR(
              c.Exec("UPDATE record_share SET active = 0, revoked_by = ?, "
                     "revoked_at = ? WHERE id = ?",
                     {revoker, now, cur->id})
                  .status());
          RETURN_IF_ERROR(AuditShare(c, r, kActionUnshare, grantee_id,
                                     cur->access, Access::kNone, revoker,
                                     request_id, now));
          RETURN_IF_ERROR(Publish(c, target, r, "RecordShareRevoked",
                                  grantee_id, cur->access, Access::kNone,
                                  revoker, request_id, now));
          ASSIGN_OR_RETURN(cur, FindOn(c, target.entity_type, checked.entity_id,
                                       grantee_id, false));
        }
        RETURN_IF_ERROR(
            RecordRequest(c, request_id, kActionUnshare, *cur, now));
        return *cur;
      });
}

absl::StatusOr<std::vector<Share>> ShareStore::List(
    std::string_view entity_type, int64_t entity_id, bool include_revoked) {
  std::vector<Share> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat("SELECT ", kColumns,
                                 " FROM record_share s WHERE s.entity_type = "
                                 "? AND s.entity_id = ? AND (s.active = 1 OR "
                                 "?) ORDER BY s.grantee_id LIMIT 1000"),
                    {entity_type, entity_id, include_revoked}));
        for (const db::Row& r : rows) out.push_back(FromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<SharedItem>> ShareStore::SharedWith(
    const Target& target, int64_t grantee_id, int64_t after_entity_id,
    int limit) {
  std::vector<SharedItem> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                        "SELECT ", kColumns,
                        ", r.name AS record_name, r.owner_id AS record_owner "
                        "FROM record_share s JOIN ",
                        target.table,
                        " r ON r.id = s.entity_id WHERE s.grantee_id = ? AND "
                        "s.entity_type = ? AND s.active = 1 AND s.entity_id > "
                        "? ORDER BY s.entity_id LIMIT ?"),
                    {grantee_id, target.entity_type, after_entity_id, limit}));
        for (const db::Row& r : rows) {
          SharedItem item;
          item.share = FromRow(r);
          item.name = r.String("record_name");
          item.owner_id = r.Int("record_owner");
          out.push_back(std::move(item));
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::sharing
