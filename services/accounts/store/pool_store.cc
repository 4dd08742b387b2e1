#include "services/accounts/store/pool_store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/store/account_audit.h"
#include "services/accounts/store/account_store.h"
#include "services/accounts/store/inbox_store.h"

namespace crm::accounts {
namespace {

constexpr char kSelectPool[] =
    "SELECT p.id, p.name, p.region_code, p.is_region_default, "
    "p.daily_claim_limit,"
    " p.former_owner_cooldown_days, p.private_capacity, "
    "p.capacity_counts_signed,"
    " p.locked_capacity, p.recycle_rules, p.created_at,"
    " (SELECT GROUP_CONCAT(m.org_unit_id) FROM pool_members m WHERE m.pool_id "
    "= p.id) AS members,"
    " (SELECT GROUP_CONCAT(ad.user_id) FROM pool_admins ad WHERE ad.pool_id = "
    "p.id) AS admins,"
    " (SELECT COUNT(*) FROM accounts a WHERE a.pool_id = p.id) AS account_count"
    " FROM pools p ";

std::vector<int64_t> Ids(const std::string& csv) {
  std::vector<int64_t> out;
  for (absl::string_view part : absl::StrSplit(csv, ',', absl::SkipEmpty())) {
    int64_t v = 0;
    if (absl::SimpleAtoi(part, &v)) out.push_back(v);
  }
  return out;
}

PoolRecord PoolFromRow(const db::Row& r) {
  PoolRecord p;
  p.id = r.Int("id");
  p.name = r.String("name");
  p.region_code = r.String("region_code");
  p.region_default = r.Bool("is_region_default");
  p.rules.daily_claim_limit = static_cast<int>(r.Int("daily_claim_limit"));
  p.rules.former_owner_cooldown_days =
      static_cast<int>(r.Int("former_owner_cooldown_days"));
  p.rules.private_capacity = static_cast<int>(r.Int("private_capacity"));
  p.rules.capacity_counts_signed = r.Bool("capacity_counts_signed");
  p.rules.locked_capacity = static_cast<int>(r.Int("locked_capacity"));
  p.recycle_rules_json = r.String("recycle_rules");
  p.member_org_unit_ids = Ids(r.String("members"));
  p.admin_user_ids = Ids(r.String("admins"));
  p.account_count = r.Int("account_count");
  p.created_at = r.Time("created_at");
  return p;
}

absl::StatusOr<PoolRecord> GetPoolOn(db::Connection& c, int64_t id) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kSelectPool, "WHERE p.id = ?"), {id},
                              absl::StrCat("pool ", id)));
  return PoolFromRow(row);
}

absl::Status InsertMembers(db::Connection& c, const PoolRecord& p, int64_t id) {
  for (int64_t unit : p.member_org_unit_ids) {
    RETURN_IF_ERROR(c.Exec("INSERT IGNORE INTO pool_members (pool_id, "
                           "org_unit_id) VALUES (?, ?)",
                           {id, unit})
                        .status());
  }
  for (int64_t user : p.admin_user_ids) {
    RETURN_IF_ERROR(
        c.Exec(
             "INSERT IGNORE INTO pool_admins (pool_id, user_id) VALUES (?, ?)",
             {id, user})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> InsertPool(db::Connection& c, const PoolRecord& p,
                                   const std::string& request_id,
                                   absl::Time now) {
  auto inserted = c.Exec(
      "INSERT INTO pools (name, region_code, is_region_default, "
      "daily_claim_limit,"
      " former_owner_cooldown_days, private_capacity, capacity_counts_signed, "
      "locked_capacity,"
      " recycle_rules, create_request_id, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {p.name, p.region_code, p.region_default, p.rules.daily_claim_limit,
       p.rules.former_owner_cooldown_days, p.rules.private_capacity,
       p.rules.capacity_counts_signed, p.rules.locked_capacity,
       p.recycle_rules_json,
       request_id.empty() ? db::Param(nullptr) : db::Param(request_id), now,
       now});
  if (absl::IsAlreadyExists(inserted.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat("name: a pool named \"", p.name, "\" exists"));
  }
  if (!inserted.ok()) return inserted.status();
  ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
  RETURN_IF_ERROR(InsertMembers(c, p, id));
  return id;
}

}  // namespace

absl::StatusOr<PoolRecord> PoolStore::Create(const PoolRecord& p,
                                             const std::string& request_id) {
  return db::RunInTransactionFor<PoolRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<PoolRecord> {
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(
                  absl::StrCat(kSelectPool, "WHERE p.create_request_id = ?"),
                  {request_id}));
          if (!prior.empty()) return PoolFromRow(prior.front());
        }
        ASSIGN_OR_RETURN(int64_t id,
                         InsertPool(c, p, request_id, clock_->Now()));
        return GetPoolOn(c, id);
      });
}

absl::StatusOr<PoolRecord> PoolStore::Get(int64_t id) {
  std::optional<PoolRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetPoolOn(c, id));
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<std::vector<PoolRecord>> PoolStore::List(
    const std::string& region_code) {
  std::vector<PoolRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                        kSelectPool,
                        "WHERE (? = '' OR p.region_code = ?) ORDER BY p.id"),
                    {region_code, region_code}));
        for (const db::Row& r : rows) out.push_back(PoolFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<PoolRecord> PoolStore::UpdateRules(
    int64_t id, const std::optional<std::string>& name,
    const std::optional<ClaimRules>& rules,
    const std::optional<std::string>& recycle_json) {
  return db::RunInTransactionFor<PoolRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<PoolRecord> {
        ASSIGN_OR_RETURN(PoolRecord p, GetPoolOn(c, id));
        const ClaimRules r = rules.value_or(p.rules);
        auto updated = c.Exec(
            "UPDATE pools SET name = ?, daily_claim_limit = ?, "
            "former_owner_cooldown_days = ?,"
            " private_capacity = ?, capacity_counts_signed = ?, "
            "locked_capacity = ?,"
            " recycle_rules = ?, updated_at = ? WHERE id = ?",
            {name.value_or(p.name), r.daily_claim_limit,
             r.former_owner_cooldown_days, r.private_capacity,
             r.capacity_counts_signed, r.locked_capacity,
             recycle_json.value_or(p.recycle_rules_json), clock_->Now(), id});
        if (absl::IsAlreadyExists(updated.status())) {
          return absl::AlreadyExistsError(
              absl::StrCat("name: a pool named \"", *name, "\" exists"));
        }
        if (!updated.ok()) return updated.status();
        return GetPoolOn(c, id);
      });
}

absl::StatusOr<PoolRecord> PoolStore::RegionDefault(
    const std::string& region_code) {
  if (region_code.empty())
    return InvalidField("region_code", "required to find the public pool");
  return db::RunInTransactionFor<PoolRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<PoolRecord> {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(
                        kSelectPool,
                        "WHERE p.region_code = ? AND p.is_region_default = 1"
                        " ORDER BY p.id LIMIT 1"),
                    {region_code}));
        if (!rows.empty()) return PoolFromRow(rows.front());
        PoolRecord p;
        p.name = absl::StrCat("公海 ", region_code);
        p.region_code = region_code;
        p.region_default = true;
        p.rules = default_rules_;
        // The request id makes concurrent first uses converge on one pool.
        const std::string request_id =
            absl::StrCat("region-default-", region_code);
        ASSIGN_OR_RETURN(
            db::Rows prior,
            c.Query(absl::StrCat(kSelectPool, "WHERE p.create_request_id = ?"),
                    {request_id}));
        if (!prior.empty()) return PoolFromRow(prior.front());
        auto id = InsertPool(c, p, request_id, clock_->Now());
        if (absl::IsAlreadyExists(id.status())) {
          return absl::AbortedError("region pool created concurrently; retry");
        }
        if (!id.ok()) return id.status();
        return GetPoolOn(c, *id);
      });
}

absl::StatusOr<AccountRecord> PoolStore::Claim(int64_t account_id,
                                               const Claimant& rep,
                                               const std::string& request_id) {
  return db::RunInTransactionFor<AccountRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<AccountRecord> {
        const absl::Time now = clock_->Now();
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows done,
              c.Query("SELECT account_id, to_owner_id FROM pool_moves"
                      " WHERE request_id = ?",
                      {request_id}));
          if (!done.empty())
            return GetAccountOn(c, done.front().Int("account_id"), false);
        }
        // The rep's counter row serializes this rep's claims (capacity and
        // daily limit cannot be overshot by parallel claims).
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO rep_claim_counters (user_id, day, claims)"
                   " VALUES (?, FROM_DAYS(?), 0) ON DUPLICATE KEY UPDATE "
                   "user_id = user_id",
                   {rep.user_id, LocalDay(now) + 719528})
                .status());
        ASSIGN_OR_RETURN(db::Row counter,
                         c.QueryOne("SELECT TO_DAYS(day) - 719528 AS day, "
                                    "claims FROM rep_claim_counters"
                                    " WHERE user_id = ? FOR UPDATE",
                                    {rep.user_id}, "claim counter"));
        ASSIGN_OR_RETURN(AccountRecord a,
                         GetAccountOn(c, account_id, /*for_update=*/true));
        if (a.owner_id.has_value()) {
          if (*a.owner_id == rep.user_id)
            return a;  // already mine: claiming twice is a no-op
          return absl::FailedPreconditionError(
              absl::StrCat("account ", account_id,
                           " is not in a public pool (already claimed)"));
        }
        ASSIGN_OR_RETURN(PoolRecord from, GetPoolOn(c, *a.pool_id));
        ClaimCheck check;
        check.rules = from.rules;
        check.pool_region = from.region_code;
        check.rep_region = rep.region_code;
        for (int64_t unit : from.member_org_unit_ids) {
          for (int64_t mine : rep.org_unit_ids)
            check.rep_is_pool_member |= unit == mine;
        }
        ASSIGN_OR_RETURN(
            db::Row owned,
            c.QueryOne(
                "SELECT COUNT(*) AS n, COALESCE(SUM(status = 3), 0) AS signed_n"
                " FROM accounts WHERE owner_id = ?",
                {rep.user_id}, "count"));
        check.owned = owned.Int("n");
        check.owned_signed = owned.Int("signed_n");
        check.claims_today =
            counter.Int("day") == LocalDay(now) ? counter.Int("claims") : 0;
        ASSIGN_OR_RETURN(
            db::Rows lost,
            c.Query(
                "SELECT MAX(at) AS at FROM pool_moves WHERE from_owner_id = ?"
                " AND account_id = ? AND kind IN (3, 5, 6)",
                {rep.user_id, account_id}));
        if (!lost.empty()) check.last_lost_by_rep = lost.front().OptTime("at");
        check.now = now;
        RETURN_IF_ERROR(CheckClaim(check));

        ASSIGN_OR_RETURN(
            int64_t moved,
            c.Exec(
                "UPDATE accounts SET owner_id = ?, owner_org_path = ?, pool_id "
                "= NULL,"
                " owned_since = ?, status = IF(status = 1, 2, status), "
                "updated_at = ?"
                " WHERE id = ? AND owner_id IS NULL AND pool_id = ?",
                {rep.user_id, rep.org_path, now, now, account_id, *a.pool_id}));
        if (moved != 1) {
          return absl::FailedPreconditionError(absl::StrCat(
              "account ", account_id, " was claimed by someone else"));
        }
        RETURN_IF_ERROR(
            c.Exec(
                 "UPDATE rep_claim_counters SET day = FROM_DAYS(?), claims = ?"
                 " WHERE user_id = ?",
                 {LocalDay(now) + 719528, check.claims_today + 1, rep.user_id})
                .status());
        PoolMoveRecord m;
        m.account_id = account_id;
        m.kind = MoveKind::kClaim;
        m.from_pool_id = a.pool_id;
        m.to_owner_id = rep.user_id;
        m.actor_id = rep.user_id;
        m.at = now;
        RETURN_IF_ERROR(InsertMove(c, m, request_id));
        ASSIGN_OR_RETURN(AccountRecord after,
                         GetAccountOn(c, account_id, false));
        RETURN_IF_ERROR(AuditAccount(c, "claim", &a, &after, now));
        return after;
      });
}

absl::StatusOr<AccountRecord> PoolStore::Move(
    int64_t account_id, MoveKind kind, const std::optional<NewOwner>& owner,
    std::optional<int64_t> pool_id, std::optional<int64_t> expect_owner,
    int64_t actor_id, const std::string& reason) {
  return db::RunInTransactionFor<AccountRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<AccountRecord> {
        ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, account_id, true));
        if (expect_owner.has_value() && a.owner_id != expect_owner) {
          return absl::FailedPreconditionError(absl::StrCat(
              "account ", account_id, " is not in your private pool"));
        }
        if (pool_id.has_value())
          RETURN_IF_ERROR(GetPoolOn(c, *pool_id).status());
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec(
                 "UPDATE accounts SET owner_id = ?, owner_org_path = ?, "
                 "pool_id = ?,"
                 " owned_since = ?, updated_at = ? WHERE id = ?",
                 {owner ? db::Param(owner->user_id) : db::Param(nullptr),
                  owner ? owner->org_path : std::string(), pool_id,
                  owner ? db::Param(now) : db::Param(nullptr), now, account_id})
                .status());
        PoolMoveRecord m;
        m.account_id = account_id;
        m.kind = kind;
        m.from_owner_id = a.owner_id;
        m.from_pool_id = a.pool_id;
        if (owner) m.to_owner_id = owner->user_id;
        m.to_pool_id = pool_id;
        m.actor_id = actor_id;
        m.reason = reason;
        m.at = now;
        RETURN_IF_ERROR(InsertMove(c, m, ""));
        ASSIGN_OR_RETURN(AccountRecord after,
                         GetAccountOn(c, account_id, false));
        RETURN_IF_ERROR(
            AuditAccount(c, MoveAction(kind), &a, &after, now, reason));
        if (owner && owner->user_id != actor_id)  // the message center
          RETURN_IF_ERROR(
              inbox_store::Post(
                  c,
                  AccountAssigned(account_id, a.name, owner->user_id,
                                  MoveAction(kind), now),
                  now)
                  .status());
        return after;
      });
}

absl::StatusOr<int64_t> PoolStore::TransferAll(
    int64_t from_owner, const std::optional<NewOwner>& owner,
    std::optional<int64_t> pool_id, int64_t actor_id,
    const std::string& reason) {
  return db::RunInTransactionFor<int64_t>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
        const absl::Time now = clock_->Now();
        if (pool_id.has_value())
          RETURN_IF_ERROR(GetPoolOn(c, *pool_id).status());
        ASSIGN_OR_RETURN(std::vector<AccountRecord> moving,
                         OwnedAccountsOn(c, from_owner));
        // History first, while the rows still name the old owner.
        ASSIGN_OR_RETURN(
            int64_t n,
            c.Exec("INSERT INTO pool_moves (account_id, kind, from_owner_id, "
                   "from_pool_id,"
                   " to_owner_id, to_pool_id, actor_id, reason, at)"
                   " SELECT id, ?, owner_id, NULL, ?, ?, ?, ?, ? FROM accounts "
                   "WHERE owner_id = ?",
                   {static_cast<int>(MoveKind::kTransfer),
                    owner ? db::Param(owner->user_id) : db::Param(nullptr),
                    pool_id, actor_id, reason, now, from_owner}));
        RETURN_IF_ERROR(
            c.Exec(
                 "UPDATE accounts SET owner_id = ?, owner_org_path = ?, "
                 "pool_id = ?,"
                 " owned_since = ?, updated_at = ? WHERE owner_id = ?",
                 {owner ? db::Param(owner->user_id) : db::Param(nullptr),
                  owner ? owner->org_path : std::string(), pool_id,
                  owner ? db::Param(now) : db::Param(nullptr), now, from_owner})
                .status());
        RETURN_IF_ERROR(AuditMoved(c, "transfer", moving, now, reason));
        return n;
      });
}

absl::StatusOr<std::vector<PoolMoveRecord>> PoolStore::History(
    int64_t account_id, int64_t after_id, int limit) {
  std::vector<PoolMoveRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query("SELECT id, account_id, kind, from_owner_id, from_pool_id, "
                    "to_owner_id,"
                    " to_pool_id, actor_id, reason, at FROM pool_moves"
                    " WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?",
                    {account_id, after_id, limit}));
        for (const db::Row& r : rows) {
          PoolMoveRecord m;
          m.id = r.Int("id");
          m.account_id = r.Int("account_id");
          m.kind = static_cast<MoveKind>(r.Int("kind"));
          m.from_owner_id = r.OptInt("from_owner_id");
          m.from_pool_id = r.OptInt("from_pool_id");
          m.to_owner_id = r.OptInt("to_owner_id");
          m.to_pool_id = r.OptInt("to_pool_id");
          m.actor_id = r.Int("actor_id");
          m.reason = r.String("reason");
          m.at = r.Time("at");
          out.push_back(std::move(m));
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::accounts
