#include "services/accounts/store/recycle_store.h"

#include <map>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/accounts/domain/recycle_rules.h"
#include "services/accounts/store/account_audit.h"
#include "services/accounts/store/account_store.h"
#include "services/accounts/store/inbox_store.h"
#include "services/accounts/store/pool_store.h"
#include "services/accounts/store/protection_store.h"
#include "services/accounts/store/task_store.h"

namespace crm::accounts {
namespace {

constexpr char kRunName[] = "recycle";

// `protection`: the account's entry of ProtectionStore::Load, if any.
RecycleFacts FactsOf(const AccountRecord& a,
                     const std::map<int64_t, ProtectionFacts>& protection) {
  RecycleFacts f;
  f.status = a.status;
  f.tier = a.tier;
  f.owned_since = a.owned_since.value_or(a.created_at);
  f.last_follow_up_at = a.last_follow_up_at;
  f.first_signed_at = a.first_signed_at;
  f.is_protected = a.IsLocked();
  auto it = protection.find(a.id);
  if (it != protection.end()) {
    f.last_opportunity_at = it->second.last_opportunity_at;
    f.is_protected = f.is_protected || it->second.open_opportunity ||
                     it->second.active_contract;
  }
  return f;
}

std::string Micros(absl::Time t) { return absl::StrCat(absl::ToUnixMicros(t)); }

std::string DateOf(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::FixedTimeZone(8 * 3600));
}

// What one batch decided about one account, before the write transaction.
struct Planned {
  AccountRecord account;
  RecycleDecision decision;
  RecycleRule rule;
  int64_t target_pool_id = 0;
  bool churn_risk = false;
};

}  // namespace

absl::StatusOr<RecycleResult> RecycleStore::Run(
    absl::Time as_of, const std::function<absl::Status()>& between_batches) {
  RecycleResult result;
  PoolStore pools(pool_, clock_, options_.default_claim_rules);
  std::map<int64_t, std::vector<RecycleRule>> rules_of_pool;
  std::map<std::string, int64_t> region_pool;
  std::map<int64_t, bool> pool_exists;

  auto rules_for =
      [&](int64_t pool_id) -> absl::StatusOr<const std::vector<RecycleRule>*> {
    auto it = rules_of_pool.find(pool_id);
    if (it != rules_of_pool.end()) return &it->second;
    ASSIGN_OR_RETURN(PoolRecord p, pools.Get(pool_id));
    auto parsed = ParseRecycleRules(p.recycle_rules_json);
    if (!parsed.ok()) {
      log::Warn("bad recycle rules; using the defaults",
                {{"pool", pool_id}, {"error", parsed.status().ToString()}});
      parsed = DefaultRecycleRules();
    }
    return &(rules_of_pool[pool_id] = *std::move(parsed));
  };
  auto region_pool_of =
      [&](const std::string& region) -> absl::StatusOr<int64_t> {
    auto it = region_pool.find(region);
    if (it != region_pool.end()) return it->second;
    ASSIGN_OR_RETURN(PoolRecord p, pools.RegionDefault(region));
    return region_pool[region] = p.id;
  };
  auto exists = [&](int64_t pool_id) -> absl::StatusOr<bool> {
    auto it = pool_exists.find(pool_id);
    if (it != pool_exists.end()) return it->second;
    auto p = pools.Get(pool_id);
    if (!p.ok() && !absl::IsNotFound(p.status())) return p.status();
    return pool_exists[pool_id] = p.ok();
  };

  // Where to start: after the last committed batch of an unfinished run
  // with the same as_of, else from the beginning.
  int64_t cursor = 0;
  RETURN_IF_ERROR(
      db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows,
                         c.Query("SELECT as_of, last_account_id, finished FROM "
                                 "recycle_runs WHERE name = ? FOR UPDATE",
                                 {kRunName}));
        const absl::Time now = clock_->Now();
        if (!rows.empty() && !rows.front().Bool("finished") &&
            absl::ToUnixMicros(rows.front().Time("as_of")) ==
                absl::ToUnixMicros(as_of)) {
          cursor = rows.front().Int("last_account_id");
          result.resumed = cursor > 0;
          return absl::OkStatus();
        }
        return c
            .Exec(
                "REPLACE INTO recycle_runs (name, as_of, last_account_id,"
                " finished, recycled, warned, updated_at)"
                " VALUES (?, ?, 0, 0, 0, 0, ?)",
                {kRunName, as_of, now})
            .status();
      }));

  while (true) {
    // 1. Read the next batch of private accounts (no locks held).
    std::vector<AccountRecord> batch;
    std::map<int64_t, std::pair<int64_t, std::optional<int64_t>>> came_from;
    std::map<int64_t, ProtectionFacts> protection;
    RETURN_IF_ERROR(
        db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(
              db::Rows rows,
              c.Query(absl::StrCat("SELECT ", kAccountColumns,
                                   " FROM accounts a FORCE INDEX (PRIMARY)"
                                   " WHERE a.id > ? AND"
                                   " a.owner_id IS NOT NULL ORDER BY a.id"
                                   " LIMIT ?"),
                      {cursor, options_.batch_size}));
          for (const db::Row& r : rows) batch.push_back(AccountFromRow(r));
          if (batch.empty()) return absl::OkStatus();
          // (FORCE INDEX: a primary-key range that stops after `batch_size`
          // private rows; idx_accounts_owner would sort every private row.)
          // The move that gave each account to an owner: its from_pool_id
          // is the pool whose rules apply (the last one per account wins).
          ASSIGN_OR_RETURN(
              db::Rows moves,
              c.Query("SELECT account_id, to_owner_id, from_pool_id FROM "
                      "pool_moves WHERE account_id BETWEEN ? AND ? AND "
                      "to_owner_id IS NOT NULL ORDER BY account_id, id",
                      {batch.front().id, batch.back().id}));
          for (const db::Row& m : moves) {
            came_from[m.Int("account_id")] = {m.Int("to_owner_id"),
                                              m.OptInt("from_pool_id")};
          }
          ASSIGN_OR_RETURN(protection,
                           ProtectionStore::Load(c, batch.front().id,
                                                 batch.back().id, as_of));
          return absl::OkStatus();
        }));
    if (batch.empty()) break;
    result.scanned += batch.size();

    // 2. Decide, with the rules of each account's source pool.
    std::vector<Planned> plans;
    for (const AccountRecord& a : batch) {
      int64_t source = 0;
      auto from = came_from.find(a.id);
      if (from != came_from.end() && from->second.first == *a.owner_id &&
          from->second.second.has_value()) {
        ASSIGN_OR_RETURN(bool ok, exists(*from->second.second));
        if (ok) source = *from->second.second;
      }
      if (source == 0) {
        ASSIGN_OR_RETURN(source, region_pool_of(a.region_code));
      }
      ASSIGN_OR_RETURN(const std::vector<RecycleRule>* rules,
                       rules_for(source));
      Planned p;
      p.account = a;
      const RecycleFacts facts = FactsOf(a, protection);
      p.decision = Evaluate(*rules, facts, as_of);
      p.churn_risk = IsChurnRisk(facts, as_of, options_.churn_risk_days);
      if (p.decision.action == RecycleDecision::Action::kRecycle) {
        p.rule = (*rules)[p.decision.rule_index];
        p.target_pool_id = p.rule.target_pool_id;
        if (p.target_pool_id != 0) {
          ASSIGN_OR_RETURN(bool ok, exists(p.target_pool_id));
          if (!ok) {
            log::Warn("recycle target pool missing; using the region pool",
                      {{"pool", p.target_pool_id}, {"rule", p.rule.name}});
            p.target_pool_id = 0;
          }
        }
        if (p.target_pool_id == 0) {
          ASSIGN_OR_RETURN(p.target_pool_id, region_pool_of(a.region_code));
        }
      }
      if (p.decision.action != RecycleDecision::Action::kKeep || p.churn_risk)
        plans.push_back(std::move(p));
    }

    // 3. Write the batch and advance the cursor, all or nothing.
    const int64_t last_id = batch.back().id;
    int64_t recycled = 0, warned = 0, churn = 0;
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          recycled = warned = churn = 0;
          const absl::Time now = clock_->Now();
          for (const Planned& p : plans) {
            const AccountRecord& a = p.account;
            if (p.decision.action == RecycleDecision::Action::kRecycle) {
              // Check again under the row lock: what changed since the read
              // (a follow-up, a new owner) is judged afresh.
              ASSIGN_OR_RETURN(AccountRecord now_a,
                               GetAccountOn(c, a.id, true));
              if (now_a.owner_id != a.owner_id) continue;
              ASSIGN_OR_RETURN(auto protection_now,
                               ProtectionStore::Load(c, a.id, a.id, as_of));
              RecycleDecision again =
                  Evaluate({p.rule}, FactsOf(now_a, protection_now), as_of);
              if (again.action != RecycleDecision::Action::kRecycle) continue;
              ASSIGN_OR_RETURN(
                  int64_t n,
                  c.Exec("UPDATE accounts SET owner_id = NULL, owner_org_path "
                         "= '',"
                         " pool_id = ?, owned_since = NULL, updated_at = ?"
                         " WHERE id = ? AND owner_id = ?",
                         {p.target_pool_id, now, a.id, *a.owner_id}));
              if (n != 1) continue;
              PoolMoveRecord m;
              m.account_id = a.id;
              m.kind = MoveKind::kRecycle;
              m.from_owner_id = a.owner_id;
              m.to_pool_id = p.target_pool_id;
              m.actor_id = 0;
              m.reason = RecycleReason(p.rule).substr(0, 300);
              m.at = now;
              RETURN_IF_ERROR(InsertMove(c, m, ""));
              ASSIGN_OR_RETURN(AccountRecord after,
                               GetAccountOn(c, a.id, false));
              RETURN_IF_ERROR(
                  AuditAccount(c, "recycle", &now_a, &after, now, m.reason));
              RETURN_IF_ERROR(
                  c.Exec("UPDATE tasks SET status = 3, updated_at = ? WHERE"
                         " account_id = ? AND status = 1 AND kind = ?",
                         {now, a.id, std::string(kTaskRecycleWarning)})
                      .status());
              ++recycled;
              continue;
            }
            const absl::Time owned_since = a.owned_since.value_or(a.created_at);
            if (p.decision.action == RecycleDecision::Action::kWarn) {
              TaskRecord t;
              t.assignee_id = *a.owner_id;
              t.assignee_org_path = a.owner_org_path;
              t.title = absl::StrCat("即将回收公海: ", a.name, " (",
                                     p.decision.rule_name, ", ",
                                     DateOf(p.decision.due), ")");
              t.account_id = a.id;
              t.due_at = p.decision.due;
              t.kind = kTaskRecycleWarning;
              t.created_by = 0;
              t.dedupe_key =
                  absl::StrCat(kTaskRecycleWarning, ":", a.id, ":", *a.owner_id,
                               ":", Micros(owned_since));
              ASSIGN_OR_RETURN(bool added, InsertTaskOn(c, t, now));
              warned += added;
              if (added)  // the message center
                RETURN_IF_ERROR(inbox_store::Post(
                                    c,
                                    RecycleWarning(a.id, t.title, t.assignee_id,
                                                   t.dedupe_key.value_or("")),
                                    now)
                                    .status());
            }
            if (p.churn_risk) {
              absl::Time quiet_from = owned_since;
              if (a.last_follow_up_at.has_value())
                quiet_from = std::max(quiet_from, *a.last_follow_up_at);
              TaskRecord t;
              t.assignee_id = *a.owner_id;
              t.assignee_org_path = a.owner_org_path;
              t.title = absl::StrCat("流失风险: ", a.name, " 已",
                                     options_.churn_risk_days, "天未跟进");
              t.account_id = a.id;
              t.due_at = as_of + absl::Hours(24 * 7);
              t.kind = kTaskChurnRisk;
              t.created_by = 0;
              t.dedupe_key = absl::StrCat(kTaskChurnRisk, ":", a.id, ":",
                                          *a.owner_id, ":", Micros(quiet_from));
              ASSIGN_OR_RETURN(bool added, InsertTaskOn(c, t, now));
              churn += added;
            }
          }
          return c
              .Exec(
                  "UPDATE recycle_runs SET last_account_id = ?, recycled ="
                  " recycled + ?, warned = warned + ?, updated_at = ?"
                  " WHERE name = ?",
                  {last_id, recycled, warned, now, kRunName})
              .status();
        }));
    result.recycled += recycled;
    result.warned += warned;
    result.churn_tasks += churn;
    cursor = last_id;
    if (between_batches) RETURN_IF_ERROR(between_batches());
  }

  RETURN_IF_ERROR(
      db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
        return c
            .Exec(
                "UPDATE recycle_runs SET finished = 1, updated_at = ?"
                " WHERE name = ?",
                {clock_->Now(), kRunName})
            .status();
      }));
  log::Info("recycle pass done", {{"as_of", absl::FormatTime(as_of)},
                                  {"scanned", result.scanned},
                                  {"recycled", result.recycled},
                                  {"warned", result.warned},
                                  {"churn_tasks", result.churn_tasks},
                                  {"resumed", result.resumed}});
  return result;
}

absl::StatusOr<std::vector<PoolAnomalyRecord>> RecycleStore::Anomalies(
    absl::Time since, absl::Duration window, int min_count, int limit) {
  std::vector<PoolAnomalyRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        // The account id lists must not be cut at the default 1 KB.
        RETURN_IF_ERROR(
            c.ExecRaw("SET SESSION group_concat_max_len = 1048576"));
        // r: a release (kind 3); c: the first claim (kind 2) of the same
        // account after it, by someone else, within the window.
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(
                "SELECT r.from_owner_id AS releaser, c.to_owner_id AS claimer,"
                " COUNT(*) AS n, MAX(c.at) AS last_at,"
                " GROUP_CONCAT(DISTINCT r.account_id ORDER BY r.account_id)"
                " AS accounts"
                " FROM pool_moves r JOIN pool_moves c"
                "  ON c.account_id = r.account_id AND c.kind = 2"
                "  AND c.at >= r.at"
                "  AND c.at <= r.at + INTERVAL ? MICROSECOND"
                " WHERE r.kind = 3 AND r.at >= ? AND r.from_owner_id IS NOT"
                " NULL AND c.to_owner_id <> r.from_owner_id"
                "  AND NOT EXISTS (SELECT 1 FROM pool_moves c2"
                "   WHERE c2.account_id = r.account_id AND c2.kind = 2"
                "   AND c2.at >= r.at AND (c2.at < c.at OR (c2.at = c.at AND"
                "   c2.id < c.id)))"
                " GROUP BY r.from_owner_id, c.to_owner_id HAVING COUNT(*) >= ?"
                " ORDER BY n DESC, last_at DESC, releaser, claimer LIMIT ?",
                {absl::ToInt64Microseconds(window), since, min_count, limit}));
        for (const db::Row& r : rows) {
          PoolAnomalyRecord a;
          a.releaser_id = r.Int("releaser");
          a.claimer_id = r.Int("claimer");
          a.count = r.Int("n");
          a.last_at = r.Time("last_at");
          for (absl::string_view part :
               absl::StrSplit(r.String("accounts"), ',', absl::SkipEmpty())) {
            int64_t id = 0;
            if (absl::SimpleAtoi(part, &id)) a.account_ids.push_back(id);
          }
          out.push_back(std::move(a));
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::accounts
