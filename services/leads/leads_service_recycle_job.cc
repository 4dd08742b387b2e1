#include "services/leads/leads_service_recycle_job.h"

#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/leads/store/pool_store.h"

namespace crm::leads {

absl::StatusOr<std::optional<std::vector<int64_t>>> RunRecycleUnderLock(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, const RecycleJobOptions& options,
    absl::Time as_of) {
  PoolStore store(pool, clock);
  if (redis == nullptr) return store.Recycle(as_of, options.recycle_after, {});
  redis::DistributedLock locks(redis);
  absl::StatusOr<std::optional<redis::LockHandle>> got =
      locks.TryAcquire(kRecycleLockKey, options.lock_ttl);
  if (!got.ok()) {
    // The pass is idempotent in MySQL: without Redis it runs unguarded.
    log::Warn("lead recycle leader lock unavailable; running unguarded",
              {{"error", got.status().ToString()}});
    return store.Recycle(as_of, options.recycle_after, {});
  }
  std::optional<redis::LockHandle>& lock = *got;
  if (!lock.has_value()) return std::nullopt;
  absl::StatusOr<std::vector<int64_t>> ids =
      store.Recycle(as_of, options.recycle_after, [&]() -> absl::Status {
        ASSIGN_OR_RETURN(bool still_ours, lock->Extend(options.lock_ttl));
        if (!still_ours) {
          return absl::AbortedError(
              "lost the lead recycle leader lock; another process continues");
        }
        return absl::OkStatus();
      });
  (void)lock->Release();
  if (!ids.ok()) return ids.status();
  return std::optional<std::vector<int64_t>>(std::move(*ids));
}

RecycleJob::RecycleJob(std::shared_ptr<db::ConnectionPool> pool,
                       redis::RedisPool* redis,
                       std::shared_ptr<const Clock> clock,
                       RecycleJobOptions options)
    : pool_(std::move(pool)),
      redis_(redis),
      clock_(std::move(clock)),
      options_(options) {}

RecycleJob::~RecycleJob() { Stop(); }

void RecycleJob::Start() {
  loop_.Start([this] {
    while (true) {
      absl::StatusOr<bool> ran = RunOnce();
      if (!ran.ok()) {
        log::Warn("lead recycle round failed",
                  {{"error", ran.status().ToString()}});
      }
      if (!loop_.WaitFor(options_.interval)) return;
    }
  });
}

void RecycleJob::Stop() { loop_.Stop(); }

absl::StatusOr<bool> RecycleJob::RunOnce() {
  const absl::Time started = absl::Now();
  auto ids =
      RunRecycleUnderLock(pool_, redis_, clock_, options_, clock_->Now());
  server::RecordJobRun("leads_recycle",
                       !ids.ok()           ? "error"
                       : !ids->has_value() ? "skipped"
                                           : "ok",
                       absl::Now() - started);
  if (!ids.ok()) return ids.status();
  return ids->has_value();
}

}  // namespace crm::leads
