#include "services/opportunities/opportunities_stale_job.h"

#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/opportunities/domain/event_payloads.h"
#include "services/opportunities/domain/stale_rules.h"
#include "services/opportunities/store/pipeline_store.h"
#include "services/opportunities/store/stale_store.h"

namespace crm::opportunities {

absl::StatusOr<int> RunStalePass(
    std::shared_ptr<db::ConnectionPool> pool,
    std::shared_ptr<const Clock> clock, const StaleJobOptions& options,
    absl::Time as_of, const std::function<absl::Status()>& between_batches) {
  PipelineStore pipelines(pool, clock);
  StaleStore stale(pool, clock);
  ASSIGN_OR_RETURN(
      std::vector<PipelineDef> all,
      pipelines.List(true, CustomerType::kUnspecified, DealKind::kUnspecified));
  int alerted = 0;
  for (const PipelineDef& p : all) {
    const int days =
        EffectiveStaleDays(p.stale_days, options.default_stale_days);
    if (days <= 0) continue;
    const absl::Time idle_since = as_of - absl::Hours(24) * days;
    int64_t after = 0;
    while (true) {
      ASSIGN_OR_RETURN(
          std::vector<OpportunityRecord> batch,
          stale.Candidates(p.id, idle_since, after, options.batch_size));
      for (const OpportunityRecord& o : batch) {
        after = o.id;
        StaleDecision d =
            DecideStale(o.last_activity_at, days, o.stale_alerted_for, as_of);
        if (!d.alert) continue;
        EventSubject s;
        s.opportunity_id = o.id;
        s.account_id = o.account_id;
        s.owner_id = o.owner_id;
        s.owner_org_path = o.owner_org_path;
        s.name = o.name;
        ASSIGN_OR_RETURN(
            bool done,
            stale.Alert(o, StalePayload(s, d.idle_days, d.stale_since)));
        if (done) ++alerted;
      }
      if (between_batches) RETURN_IF_ERROR(between_batches());
      if (static_cast<int>(batch.size()) < options.batch_size) break;
    }
  }
  return alerted;
}

absl::StatusOr<std::optional<int>> RunStaleUnderLock(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, const StaleJobOptions& options,
    absl::Time as_of) {
  if (redis == nullptr) {
    ASSIGN_OR_RETURN(int n, RunStalePass(pool, clock, options, as_of, {}));
    return std::optional<int>(n);
  }
  redis::DistributedLock locks(redis);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> lock,
                   locks.TryAcquire(kStaleLockKey, options.lock_ttl));
  if (!lock.has_value()) return std::nullopt;
  absl::StatusOr<int> n =
      RunStalePass(pool, clock, options, as_of, [&]() -> absl::Status {
        ASSIGN_OR_RETURN(bool still_ours, lock->Extend(options.lock_ttl));
        if (!still_ours) {
          return absl::AbortedError(
              "lost the stale-check leader lock; another process continues");
        }
        return absl::OkStatus();
      });
  (void)lock->Release();
  if (!n.ok()) return n.status();
  return std::optional<int>(*n);
}

StaleJob::StaleJob(std::shared_ptr<db::ConnectionPool> pool,
                   redis::RedisPool* redis, std::shared_ptr<const Clock> clock,
                   StaleJobOptions options)
    : pool_(std::move(pool)),
      redis_(redis),
      clock_(std::move(clock)),
      options_(options) {}

StaleJob::~StaleJob() { Stop(); }

void StaleJob::Start() {
  loop_.Start([this] {
    while (true) {
      absl::StatusOr<bool> ran = RunOnce();
      if (!ran.ok()) {
        log::Warn("stale check round failed",
                  {{"error", ran.status().ToString()}});
      }
      if (!loop_.WaitFor(options_.interval)) return;
    }
  });
}

void StaleJob::Stop() { loop_.Stop(); }

absl::StatusOr<bool> StaleJob::RunOnce() {
  const absl::Time started = absl::Now();
  absl::StatusOr<std::optional<int>> n =
      RunStaleUnderLock(pool_, redis_, clock_, options_, clock_->Now());
  server::RecordJobRun("opportunities_stale",
                       !n.ok()           ? "error"
                       : !n->has_value() ? "skipped"
                                         : "ok",
                       absl::Now() - started);
  if (!n.ok()) return n.status();
  return n->has_value();
}

}  // namespace crm::opportunities
