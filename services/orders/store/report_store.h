// SQL for the numbers: totals per owner (leaderboard rebuilds), actuals for
// a user or an org subtree (achievement, dashboard), renewals, overdue
// totals, the renewal candidate list, and targets.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"
#include "services/orders/leaderboards.h"

namespace crm::orders::report_store {

// Signed contract amounts per owner, signed_at in [start, end).
absl::StatusOr<std::vector<Leaderboards::OwnerTotal>> SignedByOwner(
    db::Connection& c, absl::Time start, absl::Time end);
// Payments (net of refunds) per owner, received_date in [first, end).
absl::StatusOr<std::vector<Leaderboards::OwnerTotal>> ReceivedByOwner(
    db::Connection& c, absl::CivilDay first, absl::CivilDay end);

// Whose numbers: one user (user_id > 0) or an org subtree (org_path), always
// narrowed to what `viewer` may see.
struct Subject {
  int64_t user_id = 0;
  std::string org_path;
  auth::Principal viewer;
};

struct Signed {
  int64_t amount_minor = 0;
  int64_t contracts = 0;
  int64_t customers = 0;  // distinct accounts
};
// type 0 = all, 1 new, 2 renewal.
absl::StatusOr<Signed> SumSigned(db::Connection& c, const Subject& s,
                                 absl::Time start, absl::Time end, int type);
// All / NEW / RENEWAL signed totals in one scan.
struct SignedBreakdown {
  Signed all, fresh, renewal;
};
absl::StatusOr<SignedBreakdown> SumSignedByType(db::Connection& c,
                                                const Subject& s,
                                                absl::Time start,
                                                absl::Time end);
absl::StatusOr<int64_t> SumReceived(db::Connection& c, const Subject& s,
                                    absl::CivilDay first, absl::CivilDay end);

struct Renewals {
  int64_t due = 0;   // signed contracts ending in the period
  int64_t done = 0;  // ... of which a signed renewal exists
};
absl::StatusOr<Renewals> RenewalsDue(db::Connection& c, const Subject& s,
                                     absl::CivilDay first, absl::CivilDay end);

struct Overdue {
  int64_t outstanding_minor = 0;
  int64_t installments = 0;
};
// Signed installments due before `as_of` and not fully paid.
absl::StatusOr<Overdue> OverdueTotals(db::Connection& c, const Subject& s,
                                      absl::CivilDay as_of);

struct RenewalCandidate {
  int64_t account_id = 0;
  int customer_type = 0;
  int64_t owner_id = 0;
  int64_t contract_id = 0;
  absl::CivilDay end_date;
  int64_t signed_recent_minor = 0;
};
// Signed, not yet renewed contracts in the viewer's scope ending in
// [from, until), one row per account, by the account's signed total since
// `since` (descending, then account id).
absl::StatusOr<std::vector<RenewalCandidate>> RenewalCandidates(
    db::Connection& c, const auth::Principal& viewer, absl::CivilDay from,
    absl::CivilDay until, absl::Time since, bool key_accounts_only, int limit);

struct TargetRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string org_path;
  std::string period;
  int metric = 0;
  int64_t value = 0;
  // User targets: the user's org path when set ('' for old rows).
  std::string user_org_path;
};
absl::StatusOr<TargetRow> UpsertTarget(db::Connection& c, const TargetRow& t,
                                       int64_t actor, absl::Time now);
absl::StatusOr<std::optional<TargetRow>> GetTarget(db::Connection& c,
                                                   int64_t user_id,
                                                   const std::string& org_path,
                                                   const std::string& period,
                                                   int metric);
// Targets of one period for org units under `org_path` (and users, when
// `org_path` is empty).
// User targets of one period whose user sat under `org_path` when the
// target was set, plus old rows without a recorded path.
absl::StatusOr<std::vector<TargetRow>> ListUserTargets(
    db::Connection& c, const std::string& period, const std::string& org_path);
absl::StatusOr<std::vector<TargetRow>> ListTargets(db::Connection& c,
                                                   const std::string& period,
                                                   const std::string& org_path);

}  // namespace crm::orders::report_store
