#include "services/accounts/store/protection_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/domain/pool_rules.h"
#include "services/accounts/store/account_store.h"

namespace crm::accounts {
namespace {

// Matches pool_store.cc: the day column of rep_claim_counters is a local day.
constexpr int64_t kUnixEpochToDays = 719528;

std::string DateOf(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::FixedTimeZone(8 * 3600));
}

}  // namespace

absl::StatusOr<AccountRecord> ProtectionStore::Lock(int64_t account_id,
                                                    int64_t rep_id,
                                                    int locked_capacity) {
  const absl::Time now = clock_->Now();
  return db::RunInTransactionFor<AccountRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<AccountRecord> {
        RETURN_IF_ERROR(
            c.Exec("INSERT INTO rep_claim_counters (user_id, day, claims)"
                   " VALUES (?, FROM_DAYS(?), 0) ON DUPLICATE KEY UPDATE "
                   "user_id = user_id",
                   {rep_id, LocalDay(now) + kUnixEpochToDays})
                .status());
        RETURN_IF_ERROR(c.QueryOne("SELECT user_id FROM rep_claim_counters"
                                   " WHERE user_id = ? FOR UPDATE",
                                   {rep_id}, "claim counter")
                            .status());
        ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, account_id, true));
        if (!a.owner_id.has_value() || *a.owner_id != rep_id) {
          return absl::FailedPreconditionError(absl::StrCat(
              "account ", account_id,
              " is not in your private pool: only its owner may lock it"));
        }
        if (a.IsLocked()) return a;
        if (locked_capacity > 0) {
          ASSIGN_OR_RETURN(
              db::Row n,
              c.QueryOne("SELECT COUNT(*) AS n FROM accounts WHERE owner_id = ?"
                         " AND locked_by = owner_id AND locked_at IS NOT NULL",
                         {rep_id}, "locked count"));
          if (n.Int("n") >= locked_capacity) {
            return absl::ResourceExhaustedError(absl::StrCat(
                "locked_capacity: you already hold ", n.Int("n"), " of ",
                locked_capacity,
                " locked accounts; unlock one before locking another"));
          }
        }
        RETURN_IF_ERROR(c.Exec("UPDATE accounts SET locked_by = ?, locked_at ="
                               " ?, updated_at = ? WHERE id = ?",
                               {rep_id, now, now, account_id})
                            .status());
        return GetAccountOn(c, account_id, false);
      });
}

absl::StatusOr<AccountRecord> ProtectionStore::Unlock(int64_t account_id) {
  const absl::Time now = clock_->Now();
  return db::RunInTransactionFor<AccountRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<AccountRecord> {
        ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, account_id, true));
        if (!a.locked_at.has_value()) return a;
        RETURN_IF_ERROR(c.Exec("UPDATE accounts SET locked_by = NULL, "
                               "locked_at = NULL, updated_at = ? WHERE id = ?",
                               {now, account_id})
                            .status());
        return GetAccountOn(c, account_id, false);
      });
}

absl::StatusOr<std::map<int64_t, ProtectionFacts>> ProtectionStore::Load(
    db::Connection& c, int64_t first_id, int64_t last_id, absl::Time as_of) {
  std::map<int64_t, ProtectionFacts> out;
  ASSIGN_OR_RETURN(
      db::Rows opps,
      c.Query("SELECT account_id, MAX(is_open) AS any_open, MAX(opened_at) AS"
              " last_opened FROM account_opportunities WHERE account_id"
              " BETWEEN ? AND ? GROUP BY account_id",
              {first_id, last_id}));
  for (const db::Row& r : opps) {
    ProtectionFacts& f = out[r.Int("account_id")];
    f.open_opportunity = r.Int("any_open") != 0;
    f.last_opportunity_at = r.OptTime("last_opened");
  }
  ASSIGN_OR_RETURN(
      db::Rows contracts,
      c.Query("SELECT DISTINCT account_id FROM signed_contracts WHERE"
              " account_id BETWEEN ? AND ? AND end_date >= ?",
              {first_id, last_id, DateOf(as_of)}));
  for (const db::Row& r : contracts) {
    out[r.Int("account_id")].active_contract = true;
  }
  return out;
}

absl::Status ProtectionStore::ApplyOpportunity(db::Connection& c,
                                               int64_t opportunity_id,
                                               int64_t account_id, bool open,
                                               absl::Time at) {
  return c
      .Exec(
          "INSERT INTO account_opportunities (opportunity_id, account_id,"
          " is_open, opened_at, updated_at) VALUES (?, ?, ?, ?, ?)"
          " ON DUPLICATE KEY UPDATE is_open = VALUES(is_open),"
          " account_id = VALUES(account_id), updated_at = VALUES(updated_at)",
          {opportunity_id, account_id, open ? 1 : 0, at, at})
      .status();
}

}  // namespace crm::accounts
