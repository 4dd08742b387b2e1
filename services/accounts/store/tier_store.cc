#include "services/accounts/store/tier_store.h"

#include <algorithm>

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
