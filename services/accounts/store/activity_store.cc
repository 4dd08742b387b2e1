#include "services/accounts/store/activity_store.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "services/accounts/store/account_store.h"

namespace crm::accounts {
namespace {

constexpr char kFollowUpColumns[] =
    "SELECT f.id, f.account_id, f.author_id, f.kind, f.content, "
    "f.happened_at, f.next_follow_up_at, f.visit_id, f.created_at "
    "FROM follow_ups f ";

FollowUpRecord FollowUpFromRow(const db::Row& r) {
  FollowUpRecord f;
  f.id = r.Int("id");
  f.account_id = r.Int("account_id");
  f.author_id = r.Int("author_id");
  f.kind = static_cast<FollowUpKind>(r.Int("kind"));
  f.content = r.String("content");
  f.at = r.Time("happened_at");
  f.next_at = r.OptTime("next_follow_up_at");
  f.visit_id = r.OptInt("visit_id");
  f.created_at = r.Time("created_at");
  return f;
}

absl::StatusOr<FollowUpRecord> GetFollowUpOn(db::Connection& c, int64_t id) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kFollowUpColumns, "WHERE f.id = ?"),
                              {id}, absl::StrCat("follow-up ", id)));
  return FollowUpFromRow(row);
}

absl::StatusOr<int64_t> InsertFollowUp(db::Connection& c,
                                       const FollowUpRecord& f,
                                       const std::string& request_id,
                                       absl::Time now) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO follow_ups (account_id, author_id, kind, content, "
             "happened_at, next_follow_up_at, visit_id, create_request_id, "
             "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {f.account_id, f.author_id, static_cast<int>(f.kind), f.content,
              f.at, f.next_at, f.visit_id,
              request_id.empty() ? db::Param(nullptr) : db::Param(request_id),
              now})
          .status());
  return c.LastInsertId();
}

// A follow-up happened at `at`: the account's last follow-up time only
// moves forward (a back-dated entry never moves it back), and a NEW account
// is now being followed.
// Records that the account was worked on at `at`: its last follow-up time
// and status here, and an AccountActivity event for the services whose
// clocks follow customer contact (opportunities' stale check).
absl::Status TouchAccount(db::Connection& c, int64_t account_id, absl::Time at,
                          absl::Time now, FollowUpKind kind, int64_t actor_id) {
  RETURN_IF_ERROR(
      c.Exec("UPDATE accounts SET last_follow_up_at = "
             "GREATEST(COALESCE(last_follow_up_at, ?), ?),"
             " status = IF(status = 1, 2, status), updated_at = ? WHERE id = ?",
             {at, at, now, account_id})
          .status());
  const nlohmann::json payload = {{"account_id", account_id},
                                  {"at_unix_ms", absl::ToUnixMillis(at)},
                                  {"kind", static_cast<int>(kind)},
                                  {"actor_id", actor_id}};
  return events::AppendToOutbox(c, events::StreamFor("accounts"),
                                "AccountActivity", absl::StrCat(account_id),
                                payload, now)
      .status();
}

}  // namespace

const char kVisitColumns[] =
    "SELECT v.id, v.account_id, v.user_id, v.lat, v.lng, v.accuracy_m, "
    "v.device_id, v.distance_m, v.suspicious, v.suspicious_reason, v.note, "
    "v.at, v.user_org_path, v.review, v.reviewed_by, v.reviewed_at, "
    "v.review_note FROM visits v ";

VisitRecord VisitFromRow(const db::Row& r) {
  VisitRecord v;
  v.id = r.Int("id");
  v.account_id = r.Int("account_id");
  v.user_id = r.Int("user_id");
  v.lat = r.Double("lat");
  v.lng = r.Double("lng");
  v.accuracy_m = r.Double("accuracy_m");
  v.device_id = r.String("device_id");
  v.distance_m = r.Double("distance_m");
  v.suspicious = r.Bool("suspicious");
  v.suspicious_reason = r.String("suspicious_reason");
  v.note = r.String("note");
  v.at = r.Time("at");
  v.user_org_path = r.String("user_org_path");
  v.review = static_cast<VisitReview>(r.Int("review"));
  v.reviewed_by = r.OptInt("reviewed_by");
  v.reviewed_at = r.OptTime("reviewed_at");
  v.review_note = r.String("review_note");
  return v;
}

absl::StatusOr<FollowUpRecord> ActivityStore::AddFollowUp(
    const FollowUpRecord& f, const std::string& request_id,
    const AccountGuard& guard) {
  return db::RunInTransactionFor<FollowUpRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<FollowUpRecord> {
        // A retry returns the author's first attempt even if the account
        // moved since (e.g. released right after the follow-up).
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(absl::StrCat(kFollowUpColumns,
                                   "WHERE f.create_request_id = ?"),
                      {request_id}));
          if (!prior.empty()) {
            FollowUpRecord first = FollowUpFromRow(prior.front());
            if (first.author_id != f.author_id ||
                first.account_id != f.account_id) {
              return absl::AlreadyExistsError(absl::StrCat(
                  "request_id: already used for follow-up ", first.id));
            }
            return first;
          }
        }
        ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, f.account_id, true));
        RETURN_IF_ERROR(guard(a));
        const absl::Time now = clock_->Now();
        ASSIGN_OR_RETURN(int64_t id, InsertFollowUp(c, f, request_id, now));
        RETURN_IF_ERROR(
            TouchAccount(c, f.account_id, f.at, now, f.kind, f.author_id));
        return GetFollowUpOn(c, id);
      });
}

absl::StatusOr<std::vector<FollowUpRecord>> ActivityStore::ListFollowUps(
    int64_t account_id, int64_t after_id, int limit) {
  std::vector<FollowUpRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        db::Rows rows;
        if (after_id == 0) {
          ASSIGN_OR_RETURN(
              rows,
              c.Query(absl::StrCat(kFollowUpColumns,
                                   "WHERE f.account_id = ? ORDER BY "
                                   "f.happened_at DESC, f.id DESC LIMIT ?"),
                      {account_id, limit}));
        } else {
          // The token holds the last id; its time comes from the row itself.
          ASSIGN_OR_RETURN(
              db::Rows anchor,
              c.Query("SELECT happened_at FROM follow_ups WHERE id = ? AND "
                      "account_id = ?",
                      {after_id, account_id}));
          if (anchor.empty()) {
            return InvalidField("page_token",
                                "does not belong to this account's follow-ups");
          }
          const absl::Time at = anchor.front().Time("happened_at");
          ASSIGN_OR_RETURN(
              rows,
              c.Query(absl::StrCat(
                          kFollowUpColumns,
                          "WHERE f.account_id = ? AND (f.happened_at < ? OR "
                          "(f.happened_at = ? AND f.id < ?)) ORDER BY "
                          "f.happened_at DESC, f.id DESC LIMIT ?"),
                      {account_id, at, at, after_id, limit}));
        }
        for (const db::Row& r : rows) out.push_back(FollowUpFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<VisitRecord>> ActivityStore::FindVisitByRequestId(
    const std::string& request_id) {
  std::optional<VisitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query(absl::StrCat(kVisitColumns,
                                              "WHERE v.create_request_id = ?"),
                                 {request_id}));
        if (!rows.empty()) out = VisitFromRow(rows.front());
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<VisitRecord>> ActivityStore::LastVisitOf(
    int64_t user_id) {
  std::optional<VisitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kVisitColumns,
                                 "WHERE v.user_id = ? ORDER BY v.at DESC, "
                                 "v.id DESC LIMIT 1"),
                    {user_id}));
        if (!rows.empty()) out = VisitFromRow(rows.front());
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<int64_t>> ActivityStore::SamePointElsewhere(
    int64_t user_id, double lat, double lng, int64_t account_id) {
  std::optional<int64_t> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query("SELECT account_id FROM visits WHERE user_id = ? AND "
                    "lat = ? AND lng = ? AND account_id <> ? ORDER BY id "
                    "LIMIT 1",
                    {user_id, lat, lng, account_id}));
        if (!rows.empty()) out = rows.front().Int("account_id");
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<VisitRecord> ActivityStore::AddVisit(
    const VisitRecord& v, const std::string& follow_up_content,
    const std::string& request_id, const AccountGuard& guard) {
  return db::RunInTransactionFor<VisitRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<VisitRecord> {
        ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, v.account_id, true));
        RETURN_IF_ERROR(guard(a));
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(
                  absl::StrCat(kVisitColumns, "WHERE v.create_request_id = ?"),
                  {request_id}));
          if (!prior.empty()) return VisitFromRow(prior.front());
        }
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO visits (account_id, user_id, user_org_path, "
                   "lat, lng, accuracy_m, device_id, distance_m, suspicious, "
                   "suspicious_reason, note, create_request_id, at)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {v.account_id, v.user_id, v.user_org_path, v.lat, v.lng,
                    v.accuracy_m, v.device_id, v.distance_m, v.suspicious,
                    v.suspicious_reason, v.note,
                    request_id.empty() ? db::Param(nullptr)
                                       : db::Param(request_id),
                    v.at})
                .status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        FollowUpRecord f;
        f.account_id = v.account_id;
        f.author_id = v.user_id;
        f.kind = FollowUpKind::kVisit;
        f.content = follow_up_content;
        f.at = v.at;
        f.visit_id = id;
        RETURN_IF_ERROR(InsertFollowUp(c, f, "", now).status());
        RETURN_IF_ERROR(TouchAccount(c, v.account_id, v.at, now,
                                     FollowUpKind::kVisit, v.user_id));
        ASSIGN_OR_RETURN(
            db::Row row,
            c.QueryOne(absl::StrCat(kVisitColumns, "WHERE v.id = ?"), {id},
                       absl::StrCat("visit ", id)));
        return VisitFromRow(row);
      });
}

absl::StatusOr<std::vector<ActivityStore::NearbyRow>> ActivityStore::Nearby(
    const NearbyQuery& q) {
  // lat/lng BETWEEN uses idx_accounts_geo (a range on lat, lng filtered in
  // the index); ordering by the equirectangular distance (x scaled by
  // cos(lat) at the center) bounds what comes back to `candidates` rows.
  const double kx = std::cos(q.center_lat * M_PI / 180.0);
  const std::string units = nlohmann::json(q.org_unit_ids).dump();
  const std::string pool_rule =
      "(p.region_code = ? OR EXISTS (SELECT 1 FROM pool_members m WHERE "
      "m.pool_id = a.pool_id AND m.org_unit_id IN (SELECT u.id FROM "
      "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) u)))";
  std::vector<NearbyRow> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(
                absl::StrCat(
                    "SELECT ", kAccountColumns, ", (a.pool_id IS NOT NULL AND ",
                    pool_rule,
                    ") AS claimable FROM accounts a LEFT JOIN pools p ON p.id "
                    "= "
                    "a.pool_id WHERE a.lat BETWEEN ? AND ? AND a.lng BETWEEN ? "
                    "AND ? AND (a.owner_id = ? OR (a.pool_id IS NOT NULL AND "
                    "(? "
                    "OR ",
                    pool_rule,
                    "))) ORDER BY POW(a.lat - ?, 2) + POW((a.lng - ?) * ?, 2), "
                    "a.id LIMIT ?"),
                {q.region_code, units, q.box.min_lat, q.box.max_lat,
                 q.box.min_lng, q.box.max_lng, q.user_id, q.all_pools,
                 q.region_code, units, q.center_lat, q.center_lng, kx,
                 q.candidates}));
        for (const db::Row& r : rows)
          out.push_back(NearbyRow{AccountFromRow(r), r.Bool("claimable")});
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::accounts
