#include "services/accounts/accounts_service_recycle_job.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/accounts/store/tier_store.h"

namespace crm::accounts {

absl::StatusOr<std::optional<RecycleResult>> RunRecycleUnderLock(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, const RecycleJobOptions& options,
    absl::Time as_of) {
  RecycleStore store(pool, clock, options.recycle);
  if (redis == nullptr) {
    if (options.on_pass_start) options.on_pass_start();
    return store.Run(as_of);
  }
  redis::DistributedLock locks(redis);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> lock,
                   locks.TryAcquire(kRecycleLockKey, options.lock_ttl));
  if (!lock.has_value()) return std::nullopt;
  if (options.on_pass_start) options.on_pass_start();
  absl::StatusOr<RecycleResult> result =
      store.Run(as_of, [&]() -> absl::Status {
        ASSIGN_OR_RETURN(bool still_ours, lock->Extend(options.lock_ttl));
        if (!still_ours) {
          return absl::AbortedError(
              "lost the recycle leader lock; another process continues");
        }
        return absl::OkStatus();
      });
  (void)lock->Release();
  if (!result.ok()) return result.status();
  return std::optional<RecycleResult>(*result);
}

RecycleJob::RecycleJob(std::shared_ptr<db::ConnectionPool> pool,
                       redis::RedisPool* redis,
                       std::shared_ptr<const Clock> clock,
                       RecycleJobOptions options)
    : pool_(std::move(pool)),
      redis_(redis),
      clock_(std::move(clock)),
      options_(std::move(options)) {}

RecycleJob::~RecycleJob() { Stop(); }

void RecycleJob::Start() {
  loop_.Start([this] {
    while (true) {
      absl::StatusOr<bool> ran = RunOnce();
      if (!ran.ok()) {
        log::Warn("recycle round failed", {{"error", ran.status().ToString()}});
      }
      if (!loop_.WaitFor(options_.interval)) return;
    }
  });
}

void RecycleJob::Stop() { loop_.Stop(); }

absl::StatusOr<bool> RecycleJob::RunOnce() {
  const absl::Time started = absl::Now();
  absl::StatusOr<std::optional<RecycleResult>> result =
      RunRecycleUnderLock(pool_, redis_, clock_, options_, clock_->Now());
  if (!result.ok()) {
    server::RecordJobRun("accounts_recycle", "error", absl::Now() - started);
    return result.status();
  }
  if (!result->has_value()) {
    server::RecordJobRun("accounts_recycle", "skipped", absl::Now() - started);
    return false;
  }
  server::RecordJobRun("accounts_recycle", "ok", absl::Now() - started);
  passes_.fetch_add(1);
  // The tier window slides with time: recompute in the same round (the
  // work is idempotent; the leader lock only avoids doing it twice).
  absl::StatusOr<TierStore::RecomputeResult> tiers =
      TierStore::RecomputeAll(*pool_, clock_->Now());
  if (!tiers.ok()) return tiers.status();
  if (tiers->changed > 0) {
    log::Info("tiers recomputed",
              {{"scanned", tiers->scanned}, {"changed", tiers->changed}});
  }
  return true;
}

}  // namespace crm::accounts
