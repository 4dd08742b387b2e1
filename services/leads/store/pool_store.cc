#include "services/leads/store/pool_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/leads/store/lead_audit.h"
#include "services/leads/store/lead_events.h"
#include "services/leads/store/lead_store.h"

namespace crm::leads {
namespace {

constexpr int kRecycleBatch = 200;

constexpr char kSelectPool[] =
    "SELECT p.id, p.name, p.region_code, p.org_unit_id, p.is_region_default,"
    " p.created_at, (SELECT COUNT(*) FROM leads l WHERE l.pool_id = p.id) AS "
    "lead_count FROM lead_pools p ";

LeadPoolRecord PoolFromRow(const db::Row& r) {
  LeadPoolRecord p;
  p.id = r.Int("id");
  p.name = r.String("name");
  p.region_code = r.String("region_code");
  p.org_unit_id = r.Int("org_unit_id");
  p.region_default = r.Bool("is_region_default");
  p.created_at = r.Time("created_at");
  p.lead_count = r.Int("lead_count");
  return p;
}

absl::StatusOr<LeadPoolRecord> GetPoolOn(db::Connection& c, int64_t id) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kSelectPool, "WHERE p.id = ?"), {id},
                              absl::StrCat("lead pool ", id)));
  return PoolFromRow(row);
}

absl::StatusOr<int64_t> InsertPool(db::Connection& c, const LeadPoolRecord& p,
                                   const std::string& request_id,
                                   absl::Time now) {
  std::optional<std::string> request;
  if (!request_id.empty()) request = request_id;
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO lead_pools (name, region_code, org_unit_id, "
             "is_region_default, request_id, created_at) VALUES (?, ?, ?, ?, "
             "?, ?)",
             {p.name, p.region_code, p.org_unit_id, p.region_default, request,
              now})
          .status());
  return c.LastInsertId();
}

// The region's default pool on `c`, created if missing.
absl::StatusOr<int64_t> RegionDefaultOn(db::Connection& c,
                                        const std::string& region,
                                        absl::Time now) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT id FROM lead_pools WHERE region_code = ? "
                           "AND is_region_default = 1 ORDER BY id LIMIT 1",
                           {region}));
  if (!rows.empty()) return rows.front().Int("id");
  LeadPoolRecord p;
  p.name = absl::StrCat("线索池 ", region);
  p.region_code = region;
  p.region_default = true;
  auto id = InsertPool(c, p, absl::StrCat("region-default-", region), now);
  if (absl::IsAlreadyExists(id.status()))
    return absl::AbortedError("region lead pool created concurrently; retry");
  return id;
}

}  // namespace

absl::Status AssignOn(db::Connection& c, const LeadRecord& cur,
                      const Owner& owner, int64_t actor_id, HistoryKind kind,
                      int64_t rule_id, const std::string& rule,
                      const std::string& detail, absl::Time now) {
  const LeadStatus status =
      cur.status == LeadStatus::kNew ? LeadStatus::kAssigned : cur.status;
  ASSIGN_OR_RETURN(
      int64_t changed,
      c.Exec("UPDATE leads SET owner_id = ?, owner_org_path = ?, pool_id = "
             "NULL, status = ?, assigned_at = ?, updated_at = ? WHERE id = ?",
             {owner.user_id, owner.org_path, static_cast<int>(status), now, now,
              cur.id}));
  if (changed != 1) return absl::AbortedError("lead changed; retry");
  HistoryRecord h;
  h.lead_id = cur.id;
  h.kind = kind;
  h.from_owner_id = cur.owner_id.value_or(0);
  h.to_owner_id = owner.user_id;
  h.actor_id = actor_id;
  h.rule_id = rule_id;
  h.detail = detail;
  h.at = now;
  RETURN_IF_ERROR(InsertHistory(c, h));
  ASSIGN_OR_RETURN(LeadRecord after, GetLeadOn(c, cur.id, false));
  RETURN_IF_ERROR(AuditLead(c, "assign", &cur, &after, now, detail));
  return AppendLeadAssigned(c, cur.id, owner, actor_id, rule,
                            cur.owner_id.value_or(0), now);
}

// `cur` (owned, locked) back to its region's default pool as NEW, with a
// RECYCLE history row: "<why>; back to pool <id>".
absl::Status ReturnToPoolOn(db::Connection& c, const LeadRecord& cur,
                            const std::string& why, absl::Time now) {
  ASSIGN_OR_RETURN(int64_t pool_id, RegionDefaultOn(c, cur.d.region_code, now));
  RETURN_IF_ERROR(
      c.Exec("UPDATE leads SET owner_id = NULL, owner_org_path = '', pool_id "
             "= ?, status = ?, assigned_at = NULL, updated_at = ? WHERE id = ?",
             {pool_id, static_cast<int>(LeadStatus::kNew), now, cur.id})
          .status());
  HistoryRecord h;
  h.lead_id = cur.id;
  h.kind = HistoryKind::kRecycle;
  h.from_owner_id = cur.owner_id.value_or(0);
  h.detail = absl::StrCat(why, "; back to pool ", pool_id);
  h.at = now;
  return InsertHistory(c, h);
}

absl::StatusOr<MemberLoads> OpenLoadsOn(db::Connection& c,
                                        const std::vector<int64_t>& users) {
  MemberLoads loads;
  if (users.empty()) return loads;
  std::vector<std::string> q(users.size(), "?");
  std::vector<db::Param> params(users.begin(), users.end());
  params.push_back(static_cast<int>(LeadStatus::kAssigned));
  params.push_back(static_cast<int>(LeadStatus::kQualified));
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat("SELECT owner_id, COUNT(*) AS n FROM leads WHERE "
                           "owner_id IN (",
                           absl::StrJoin(q, ","),
                           ") AND status BETWEEN ? AND ? GROUP BY owner_id"),
              params));
  for (const db::Row& r : rows) loads[r.Int("owner_id")] = r.Int("n");
  return loads;
}

absl::StatusOr<LeadPoolRecord> PoolStore::RegionDefault(
    const std::string& region) {
  ASSIGN_OR_RETURN(int64_t id, RegionDefaultId(region));
  return Get(id);
}

absl::StatusOr<int64_t> PoolStore::RegionDefaultId(const std::string& region) {
  // Concurrent first captures of a region race to create its pool; the
  // losers find the winner's pool on the next attempt.
  absl::StatusOr<int64_t> id;
  for (int attempt = 0; attempt < 5; ++attempt) {
    id = db::RunInTransactionFor<int64_t>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
          return RegionDefaultOn(c, region, clock_->Now());
        });
    if (!absl::IsAborted(id.status())) return id;
    absl::SleepFor(absl::Milliseconds(5 * (attempt + 1)));
  }
  return id;
}

absl::StatusOr<LeadPoolRecord> PoolStore::Get(int64_t id) {
  std::optional<LeadPoolRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetPoolOn(c, id));
        return absl::OkStatus();
      }));
  return std::move(*out);
}

absl::StatusOr<LeadPoolRecord> PoolStore::Create(
    const LeadPoolRecord& p, const std::string& request_id) {
  return db::RunInTransactionFor<LeadPoolRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<LeadPoolRecord> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query("SELECT id FROM lead_pools WHERE request_id = ?",
                      {request_id}));
          if (!prior.empty()) return GetPoolOn(c, prior.front().Int("id"));
        }
        auto id = InsertPool(c, p, request_id, clock_->Now());
        if (absl::IsAlreadyExists(id.status())) {
          return absl::AlreadyExistsError(absl::StrCat(
              "pool.name: a lead pool named \"", p.name, "\" exists"));
        }
        if (!id.ok()) return id.status();
        return GetPoolOn(c, *id);
      });
}

absl::StatusOr<std::vector<LeadPoolRecord>> PoolStore::List(
    const std::string& region) {
  std::vector<LeadPoolRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            region.empty()
                ? c.Query(absl::StrCat(kSelectPool, "ORDER BY p.id"))
                : c.Query(absl::StrCat(kSelectPool,
                                       "WHERE p.region_code = ? ORDER BY p.id"),
                          {region}));
        out.clear();
        for (const db::Row& r : rows) out.push_back(PoolFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<LeadRecord> PoolStore::Claim(int64_t lead_id, const Owner& rep,
                                            const std::string& rep_region) {
  return db::RunInTransactionFor<LeadRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<LeadRecord> {
        ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, lead_id, true));
        if (!cur.pool_id.has_value() || cur.status != LeadStatus::kNew) {
          return absl::FailedPreconditionError(
              absl::StrCat("lead ", lead_id, " is no longer in the pool (",
                           StatusName(cur.status), ")"));
        }
        if (cur.d.region_code != rep_region) {
          return absl::FailedPreconditionError(
              absl::StrCat("cross-region claim: lead ", lead_id,
                           " is in region \"", cur.d.region_code, "\""));
        }
        const absl::Time now = clock_->Now();
        // The conditional UPDATE is the guarantee: only a pooled lead moves.
        ASSIGN_OR_RETURN(
            int64_t changed,
            c.Exec("UPDATE leads SET owner_id = ?, owner_org_path = ?, "
                   "pool_id = NULL, status = ?, assigned_at = ?, updated_at = "
                   "? WHERE id = ? AND owner_id IS NULL AND status = ?",
                   {rep.user_id, rep.org_path,
                    static_cast<int>(LeadStatus::kAssigned), now, now, lead_id,
                    static_cast<int>(LeadStatus::kNew)}));
        if (changed != 1) {
          return absl::FailedPreconditionError(
              absl::StrCat("lead ", lead_id, " was claimed by someone else"));
        }
        HistoryRecord h;
        h.lead_id = lead_id;
        h.kind = HistoryKind::kClaim;
        h.to_owner_id = rep.user_id;
        h.actor_id = rep.user_id;
        h.detail = absl::StrCat("from pool ", *cur.pool_id);
        h.at = now;
        RETURN_IF_ERROR(InsertHistory(c, h));
        RETURN_IF_ERROR(
            AppendLeadAssigned(c, lead_id, rep, rep.user_id, "claim", 0, now));
        return GetLeadOn(c, lead_id, false);
      });
}

absl::StatusOr<LeadRecord> PoolStore::Assign(int64_t lead_id,
                                             const Owner& owner,
                                             int64_t actor_id,
                                             const std::string& reason) {
  return db::RunInTransactionFor<LeadRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<LeadRecord> {
        ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, lead_id, true));
        if (!IsOpen(cur.status)) {
          return absl::FailedPreconditionError(
              absl::StrCat("lead ", lead_id, " is ", StatusName(cur.status),
                           "; only open leads can be assigned"));
        }
        if (cur.owner_id == owner.user_id) {
          return absl::FailedPreconditionError(absl::StrCat(
              "lead ", lead_id, " is already owned by user ", owner.user_id));
        }
        RETURN_IF_ERROR(AssignOn(c, cur, owner, actor_id, HistoryKind::kAssign,
                                 0, "manual", reason, clock_->Now()));
        return GetLeadOn(c, lead_id, false);
      });
}

absl::StatusOr<std::vector<int64_t>> PoolStore::Recycle(
    absl::Time as_of, absl::Duration window,
    const std::function<absl::Status()>& between_batches) {
  const absl::Time cutoff = as_of - window;
  std::vector<int64_t> recycled;
  int64_t after = 0;
  for (;;) {
    std::vector<int64_t> ids;
    RETURN_IF_ERROR(
        db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(
              db::Rows rows,
              c.Query("SELECT id FROM leads WHERE status IN (?, ?) AND "
                      "assigned_at <= ? AND id > ? AND (last_follow_up_at IS "
                      "NULL OR last_follow_up_at <= ?) ORDER BY id LIMIT ?",
                      {static_cast<int>(LeadStatus::kAssigned),
                       static_cast<int>(LeadStatus::kContacting), cutoff, after,
                       cutoff, kRecycleBatch}));
          ids.clear();
          for (const db::Row& r : rows) ids.push_back(r.Int("id"));
          return absl::OkStatus();
        }));
    if (ids.empty()) break;
    after = ids.back();
    for (int64_t id : ids) {
      ASSIGN_OR_RETURN(
          bool moved,
          db::RunInTransactionFor<bool>(
              *pool_, [&](db::Connection& c) -> absl::StatusOr<bool> {
                ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, id, true));
                if (!cur.owner_id.has_value() || !cur.assigned_at.has_value() ||
                    !RecycleDue(
                        cur.status, *cur.assigned_at,
                        cur.last_follow_up_at.value_or(absl::InfinitePast()),
                        as_of, window)) {
                  return false;  // followed up or moved meanwhile
                }
                RETURN_IF_ERROR(
                    ReturnToPoolOn(c, cur,
                                   absl::StrCat("not followed up within ",
                                                absl::FormatDuration(window),
                                                " after assignment"),
                                   clock_->Now()));
                return true;
              }));
      if (moved) recycled.push_back(id);
    }
    if (between_batches) RETURN_IF_ERROR(between_batches());
    if (static_cast<int>(ids.size()) < kRecycleBatch) break;
  }
  return recycled;
}

absl::StatusOr<int64_t> PoolStore::HandOverOwnedOn(db::Connection& c,
                                                   int64_t from_user,
                                                   const Successor& successor,
                                                   const std::string& why) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query("SELECT id FROM leads WHERE owner_id = ? AND status BETWEEN ? "
              "AND ? ORDER BY id",
              {from_user, static_cast<int>(LeadStatus::kAssigned),
               static_cast<int>(LeadStatus::kQualified)}));
  if (rows.empty()) return 0;
  ASSIGN_OR_RETURN(const std::optional<Owner> to, successor());
  const absl::Time now = clock_->Now();
  int64_t moved = 0;
  for (const db::Row& r : rows) {
    ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, r.Int("id"), true));
    if (cur.owner_id != from_user || !IsOpen(cur.status)) continue;
    if (to.has_value()) {
      // Status kept: a qualified lead stays qualified with its new owner.
      RETURN_IF_ERROR(AssignOn(c, cur, *to, /*actor_id=*/0,
                               HistoryKind::kAssign, 0, "owner_deactivated",
                               why, now));
    } else {
      RETURN_IF_ERROR(ReturnToPoolOn(c, cur, why, now));
    }
    ++moved;
  }
  return moved;
}

}  // namespace crm::leads
