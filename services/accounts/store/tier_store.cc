#include "services/accounts/store/tier_store.h"

#include <algorithm>
#include <map>

#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/store/account_store.h"

namespace crm::accounts {

absl::StatusOr<TierSettings> TierStore::Settings(db::Connection& c) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT window_days, tier_a_min_minor, "
                           "tier_b_min_minor, currency FROM tier_settings "
                           "WHERE id = 1"));
  TierSettings s;
  if (rows.empty()) return s;
  s.window_days = static_cast<int>(rows.front().Int("window_days"));
  s.tier_a_min_minor = rows.front().Int("tier_a_min_minor");
  s.tier_b_min_minor = rows.front().Int("tier_b_min_minor");
  s.currency = rows.front().String("currency");
  return s;
}

absl::Status TierStore::SaveSettings(db::Connection& c, const TierSettings& s,
                                     absl::Time now) {
  return c
      .Exec(
          "REPLACE INTO tier_settings (id, window_days, tier_a_min_minor,"
          " tier_b_min_minor, currency, updated_at) VALUES (1, ?, ?, ?, ?, ?)",
          {s.window_days, s.tier_a_min_minor, s.tier_b_min_minor, s.currency,
           now})
      .status();
}

absl::StatusOr<TierStore::RecomputeResult> TierStore::RecomputeAll(
    db::ConnectionPool& pool, absl::Time as_of, int batch_size) {
  RecomputeResult result;
  int64_t cursor = 0;
  while (true) {
    bool done = false;
    RETURN_IF_ERROR(
        db::RunInTransaction(pool, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(TierSettings settings, Settings(c));
          ASSIGN_OR_RETURN(
              db::Rows ids,
              c.Query("SELECT DISTINCT account_id FROM signed_contracts WHERE"
                      " account_id > ? ORDER BY account_id LIMIT ?",
                      {cursor, batch_size}));
          if (ids.empty()) {
            done = true;
            return absl::OkStatus();
          }
          const int64_t first = ids.front().Int("account_id");
          const int64_t last = ids.back().Int("account_id");
          std::map<int64_t, int64_t> totals;
          ASSIGN_OR_RETURN(
              db::Rows sums,
              c.Query("SELECT account_id, SUM(amount_minor) AS total FROM"
                      " signed_contracts WHERE account_id BETWEEN ? AND ? AND"
                      " currency = ? AND signed_at > ? AND signed_at <= ?"
                      " GROUP BY account_id",
                      {first, last, settings.currency,
                       TierWindowStart(as_of, settings), as_of}));
          for (const db::Row& r : sums)
            totals[r.Int("account_id")] = r.Int("total");
          ASSIGN_OR_RETURN(
              db::Rows current,
              c.Query(
                  "SELECT a.id, a.signed_amount_minor, a.tier FROM accounts a"
                  " JOIN (SELECT DISTINCT account_id FROM signed_contracts"
                  "  WHERE account_id BETWEEN ? AND ?) s ON s.account_id = a.id"
                  " FOR UPDATE",
                  {first, last}));
          for (const db::Row& r : current) {
            const int64_t id = r.Int("id");
            auto it = totals.find(id);
            const int64_t total = it == totals.end() ? 0 : it->second;
            const Tier tier = TierFor(total, settings);
            ++result.scanned;
            if (total == r.Int("signed_amount_minor") &&
                static_cast<int>(tier) == r.Int("tier"))
              continue;
            RETURN_IF_ERROR(
                c.Exec("UPDATE accounts SET signed_amount_minor = ?,"
                       " tier = ?, updated_at = ? WHERE id = ?",
                       {total, static_cast<int>(tier), as_of, id})
                    .status());
            ++result.changed;
          }
          cursor = last;
          return absl::OkStatus();
        }));
    if (done) break;
  }
  return result;
}

absl::StatusOr<AccountRecord> TierStore::ApplySigned(db::Connection& c,
                                                     const SignedContract& s,
                                                     absl::Time as_of) {
  ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, s.account_id, true));
  ASSIGN_OR_RETURN(TierSettings settings, Settings(c));
  RETURN_IF_ERROR(
      c.Exec("INSERT IGNORE INTO signed_contracts (contract_id, account_id,"
             " amount_minor, currency, signed_at, event_id, recorded_at,"
             " end_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             {s.contract_id, s.account_id, s.amount_minor, s.currency,
              s.signed_at, s.event_id, as_of,
              s.end_date.has_value() ? db::Param(*s.end_date)
                                     : db::Param(nullptr)})
          .status());
  const absl::Time end = std::max(as_of, s.signed_at);
  ASSIGN_OR_RETURN(
      db::Row sum,
      c.QueryOne("SELECT COALESCE(SUM(amount_minor), 0) AS total,"
                 " (SELECT MIN(signed_at) FROM signed_contracts"
                 "   WHERE account_id = ?) AS first_at"
                 " FROM signed_contracts WHERE account_id = ? AND currency = ?"
                 " AND signed_at > ? AND signed_at <= ?",
                 {s.account_id, s.account_id, settings.currency,
                  TierWindowStart(end, settings), end},
                 "signed amount"));
  const int64_t total = sum.Int("total");
  std::optional<absl::Time> first = sum.OptTime("first_at");
  if (a.first_signed_at.has_value() &&
      (!first.has_value() || *a.first_signed_at < *first))
    first = a.first_signed_at;
  RETURN_IF_ERROR(
      c.Exec("UPDATE accounts SET status = ?, first_signed_at = ?,"
             " signed_amount_minor = ?, tier = ?, updated_at = ? WHERE id = ?",
             {static_cast<int>(AccountStatus::kSigned), first, total,
              static_cast<int>(TierFor(total, settings)), as_of, s.account_id})
          .status());
  return GetAccountOn(c, s.account_id, false);
}

}  // namespace crm::accounts
