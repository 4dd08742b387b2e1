#include "services/identity/store/org_store.h"

#include "absl/strings/str_cat.h"
#include "common/auth/data_scope.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"

namespace crm::identity {
namespace {

// effective_region_code: the nearest region code at or above the unit. The
// tree is shallow (<= 16 levels), so a correlated lookup over the ancestors
// (found by path prefix) is cheap.
constexpr char kSelectUnit[] =
    "SELECT u.id, u.parent_id, u.name, u.kind, u.path, u.depth, u.region_code,"
    " u.created_at, u.updated_at,"
    " COALESCE((SELECT a.region_code FROM org_units a"
    "   WHERE a.region_code <> '' AND u.path LIKE CONCAT(a.path, '%')"
    "   ORDER BY a.depth DESC LIMIT 1), '') AS effective_region_code"
    " FROM org_units u ";

OrgUnitRecord FromRow(const db::Row& r) {
  OrgUnitRecord u;
  u.id = r.Int("id");
  u.parent_id = r.Int("parent_id");
  u.name = r.String("name");
  u.kind = static_cast<OrgKind>(r.Int("kind"));
  u.path = r.String("path");
  u.depth = static_cast<int>(r.Int("depth"));
  u.region_code = r.String("region_code");
  u.effective_region_code = r.String("effective_region_code");
  u.created_at = r.Time("created_at");
  u.updated_at = r.Time("updated_at");
  return u;
}

absl::StatusOr<OrgUnitRecord> GetOn(db::Connection& c, int64_t id,
                                    bool for_update) {
  const std::string sql = absl::StrCat(kSelectUnit, "WHERE u.id = ?",
                                       for_update ? " FOR UPDATE" : "");
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(sql, {id}, absl::StrCat("org unit ", id)));
  return FromRow(row);
}

absl::Status SiblingExists(const std::string& name, int64_t parent_id) {
  return absl::AlreadyExistsError(
      absl::StrCat("name: an org unit named \"", name,
                   "\" already exists under parent ", parent_id));
}

}  // namespace

absl::StatusOr<OrgUnitRecord> OrgStore::Create(const NewUnit& unit) {
  return db::RunInTransactionFor<OrgUnitRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<OrgUnitRecord> {
        if (!unit.request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(
                  absl::StrCat(kSelectUnit, "WHERE u.create_request_id = ?"),
                  {unit.request_id}));
          if (!prior.empty()) return FromRow(prior.front());
        }
        std::string parent_path;
        OrgKind parent_kind = OrgKind::kUnspecified;
        if (unit.parent_id == 0) {
          // Serializes concurrent root creation on the (0, name) index gap.
          ASSIGN_OR_RETURN(
              db::Rows roots,
              c.Query(
                  "SELECT id FROM org_units WHERE parent_id = 0 FOR UPDATE"));
          if (!roots.empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat("the org tree already has a root (org unit ",
                             roots.front().Int("id"), ")"));
          }
        } else {
          auto parent = GetOn(c, unit.parent_id, /*for_update=*/true);
          if (absl::IsNotFound(parent.status())) {
            return absl::NotFoundError(absl::StrCat(
                "parent_id: org unit ", unit.parent_id, " not found"));
          }
          if (!parent.ok()) return parent.status();
          parent_path = parent->path;
          parent_kind = parent->kind;
          if (parent->depth + 1 >= kMaxOrgDepth) {
            return absl::OutOfRangeError(absl::StrCat(
                "the org tree may be at most ", kMaxOrgDepth, " levels deep"));
          }
        }
        RETURN_IF_ERROR(
            CheckPlacement(unit.kind, parent_kind, unit.parent_id == 0));
        const absl::Time now = clock_->Now();
        auto inserted = c.Exec(
            "INSERT INTO org_units (parent_id, name, kind, depth, region_code, "
            "create_request_id,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {unit.parent_id, unit.name, static_cast<int>(unit.kind),
             unit.parent_id == 0 ? 0 : PathDepth(parent_path) + 1,
             unit.region_code,
             unit.request_id.empty() ? db::Param(nullptr)
                                     : db::Param(unit.request_id),
             now, now});
        if (absl::IsAlreadyExists(inserted.status()))
          return SiblingExists(unit.name, unit.parent_id);
        if (!inserted.ok()) return inserted.status();
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        RETURN_IF_ERROR(c.Exec("UPDATE org_units SET path = ? WHERE id = ?",
                               {ChildPath(parent_path, id), id})
                            .status());
        return GetOn(c, id, false);
      });
}

absl::StatusOr<OrgUnitRecord> OrgStore::Get(int64_t id) {
  std::optional<OrgUnitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetOn(c, id, false));
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<std::optional<OrgUnitRecord>> OrgStore::Root() {
  std::optional<OrgUnitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                kSelectUnit, "WHERE u.parent_id = 0 ORDER BY u.id LIMIT 1")));
        if (!rows.empty()) out = FromRow(rows.front());
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<OrgUnitRecord>> OrgStore::Children(
    int64_t parent_id) {
  std::vector<OrgUnitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kSelectUnit,
                                 "WHERE u.parent_id = ? ORDER BY u.name, u.id"),
                    {parent_id}));
        for (const db::Row& r : rows) out.push_back(FromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<OrgUnitRecord>> OrgStore::Subtree(
    const std::string& path) {
  std::vector<OrgUnitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kSelectUnit,
                                 "WHERE u.path LIKE ? ORDER BY u.path"),
                    {absl::StrCat(auth::EscapeLike(path), "%")}));
        for (const db::Row& r : rows) out.push_back(FromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<OrgUnitRecord> OrgStore::Update(
    int64_t id, const std::optional<std::string>& name,
    const std::optional<std::string>& region_code) {
  return db::RunInTransactionFor<OrgUnitRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<OrgUnitRecord> {
        ASSIGN_OR_RETURN(OrgUnitRecord unit, GetOn(c, id, true));
        auto updated = c.Exec(
            "UPDATE org_units SET name = ?, region_code = ?, updated_at = ? "
            "WHERE id = ?",
            {name.value_or(unit.name), region_code.value_or(unit.region_code),
             clock_->Now(), id});
        if (absl::IsAlreadyExists(updated.status()))
          return SiblingExists(*name, unit.parent_id);
        if (!updated.ok()) return updated.status();
        return GetOn(c, id, false);
      });
}

absl::StatusOr<OrgStore::MoveResult> OrgStore::Move(int64_t id,
                                                    int64_t new_parent_id) {
  return db::RunInTransactionFor<MoveResult>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<MoveResult> {
        ASSIGN_OR_RETURN(OrgUnitRecord unit, GetOn(c, id, true));
        auto parent = GetOn(c, new_parent_id, true);
        if (absl::IsNotFound(parent.status())) {
          return absl::NotFoundError(absl::StrCat("new_parent_id: org unit ",
                                                  new_parent_id, " not found"));
        }
        if (!parent.ok()) return parent.status();
        ASSIGN_OR_RETURN(
            db::Row height,
            c.QueryOne("SELECT COALESCE(MAX(depth), 0) AS d FROM org_units "
                       "WHERE path LIKE ?",
                       {absl::StrCat(auth::EscapeLike(unit.path), "%")},
                       "subtree"));
        RETURN_IF_ERROR(
            CheckMove(unit.path, parent->path,
                      static_cast<int>(height.Int("d")) - unit.depth));
        MoveResult result;
        result.old_path = unit.path;
        if (unit.parent_id == new_parent_id) {
          result.unit = unit;
          return result;  // already there: a no-op, not an error
        }
        const std::string new_path = ChildPath(parent->path, id);
        const int depth_delta = parent->depth + 1 - unit.depth;
        const std::string like = absl::StrCat(auth::EscapeLike(unit.path), "%");
        const int64_t cut = static_cast<int64_t>(unit.path.size()) + 1;
        const absl::Time now = clock_->Now();
        auto parent_change = c.Exec(
            "UPDATE org_units SET parent_id = ?, updated_at = ? WHERE id = ?",
            {new_parent_id, now, id});
        if (absl::IsAlreadyExists(parent_change.status()))
          return SiblingExists(unit.name, new_parent_id);
        if (!parent_change.ok()) return parent_change.status();
        ASSIGN_OR_RETURN(
            result.units_moved,
            c.Exec("UPDATE org_units SET path = CONCAT(?, SUBSTRING(path, ?)),"
                   " depth = depth + ? WHERE path LIKE ?",
                   {new_path, cut, depth_delta, like}));
        ASSIGN_OR_RETURN(
            result.users_moved,
            c.Exec(
                "UPDATE users SET org_path = CONCAT(?, SUBSTRING(org_path, ?)),"
                " updated_at = ? WHERE org_path LIKE ?",
                {new_path, cut, now, like}));
        // Other services copy owner_org_path onto their records; this event
        // tells them to re-path.
        RETURN_IF_ERROR(events::AppendToOutbox(c, events::StreamFor("identity"),
                                               "OrgUnitMoved", absl::StrCat(id),
                                               {{"org_unit_id", id},
                                                {"old_path", unit.path},
                                                {"new_path", new_path}},
                                               now)
                            .status());
        ASSIGN_OR_RETURN(result.unit, GetOn(c, id, false));
        return result;
      });
}

}  // namespace crm::identity
