// Automatic recycling (私海 -> 公海) over all private accounts, and the
// anti-collusion report over the pool history.
//
// Recycle pass (the same code for RunRecycle(as_of) and the scheduled job):
//   - walks the private accounts in primary-key order, `batch_size` at a
//     time (a keyset cursor on accounts.id: each batch is an index range
//     read, so a pass over 1M accounts never re-reads or sorts);
//   - judges each account by the recycle rules of the pool it came from:
//     the pool of the move that gave it to its current owner (its claim or
//     assignment from a pool), else the region's default pool;
//   - per batch, in ONE transaction: locks the accounts to recycle, checks
//     them again (a follow-up or reassignment that raced the read wins),
//     moves them to the rule's target pool (owner NULL) with a RECYCLE
//     history row (actor 0 = the system, reason = the rule), cancels their
//     open recycle warnings, inserts the warning / churn-risk tasks (dedupe
//     keys: once per ownership period / per quiet spell) and advances the
//     cursor in recycle_runs;
//   - so a crash loses at most the batch in flight, and running again with
//     the same as_of resumes after the last committed batch; running a
//     finished as_of again scans from the start and changes nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

struct RecycleOptions {
  int batch_size = 500;
  int churn_risk_days = 60;
  // The rules a region pool created on first use gets.
  ClaimRules default_claim_rules;
};

struct RecycleResult {
  int64_t scanned = 0;  // private accounts looked at
  int64_t recycled = 0;
  int64_t warned = 0;       // recycle_warning tasks created
  int64_t churn_tasks = 0;  // churn_risk tasks created
  bool resumed = false;     // continued an interrupted run with this as_of
};

struct PoolAnomalyRecord {
  int64_t releaser_id = 0;
  int64_t claimer_id = 0;
  int64_t count = 0;
  std::vector<int64_t> account_ids;
  absl::Time last_at;
};

class RecycleStore {
 public:
  RecycleStore(std::shared_ptr<db::ConnectionPool> pool,
               std::shared_ptr<const Clock> clock, RecycleOptions options)
      : pool_(std::move(pool)),
        clock_(std::move(clock)),
        options_(std::move(options)) {}

  // One pass as of `as_of`. `between_batches` (may be empty) runs after
  // each committed batch; an error from it stops the pass (the scheduled
  // job extends its leader lock there and stops when it lost it).
  absl::StatusOr<RecycleResult> Run(
      absl::Time as_of,
      const std::function<absl::Status()>& between_batches = nullptr);

  // Release -> claim pairs: rep A releases an account and rep B (not A) is
  // the next to claim it within `window`; pairs of (A, B) that happened at
  // least `min_count` times with the release at or after `since`, most
  // frequent first. Served by pool_moves (kind, at) for the releases and
  // (account_id, kind, at) for the claim that followed each.
  absl::StatusOr<std::vector<PoolAnomalyRecord>> Anomalies(
      absl::Time since, absl::Duration window, int min_count, int limit);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
  RecycleOptions options_;
};

}  // namespace crm::accounts
