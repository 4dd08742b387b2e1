#include "services/orders/orders_overdue_job.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/orders/domain/payment_plan.h"
#include "services/orders/domain/periods.h"
#include "services/orders/orders_service.h"
#include "services/orders/store/payment_store.h"

namespace crm::orders {
namespace {

absl::StatusOr<int64_t> RunPass(db::ConnectionPool& pool,
                                const OverdueJobOptions& options,
                                absl::Time as_of, absl::Time now,
                                const std::function<absl::Status()>& between) {
  const int batch = options.batch;
  const absl::CivilDay day = options.calendar.DayOf(as_of);
  int64_t total = 0;
  while (true) {
    ASSIGN_OR_RETURN(
        int64_t n,
        db::RunInTransactionFor<int64_t>(
            pool, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
              ASSIGN_OR_RETURN(std::vector<CollectionRecord> due,
                               payment_store::LockNewlyOverdue(c, day, batch));
              for (const CollectionRecord& r : due) {
                RETURN_IF_ERROR(
                    payment_store::MarkOverdue(c, r.installment_id, day));
                nlohmann::json payload = {
                    {"contract_id", absl::StrCat(r.contract_id)},
                    {"installment_id", r.installment_id},
                    {"account_id", r.account_id},
                    {"owner_id", r.owner_id},
                    {"owner_org_path", r.owner_org_path},
                    {"amount_due_minor", r.amount_minor - r.paid_minor},
                    {"due_date", FormatDate(r.due_date)},
                    {"days_overdue", DaysOverdue(r.due_date, day)}};
                RETURN_IF_ERROR(events::AppendToOutbox(
                                    c, events::StreamFor(kServiceName),
                                    "InstallmentOverdue",
                                    absl::StrCat(r.contract_id), payload, now)
                                    .status());
              }
              return static_cast<int64_t>(due.size());
            }));
    total += n;
    if (n < batch) return total;
    if (between) RETURN_IF_ERROR(between());
  }
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> RunOverdueUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis,
    const OverdueJobOptions& options, absl::Time as_of, absl::Time now) {
  if (redis == nullptr) return RunPass(pool, options, as_of, now, {});
  redis::DistributedLock locks(redis);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> lock,
                   locks.TryAcquire(kOverdueLockKey, options.lock_ttl));
  if (!lock.has_value()) return std::nullopt;
  absl::StatusOr<int64_t> n =
      RunPass(pool, options, as_of, now, [&]() -> absl::Status {
        ASSIGN_OR_RETURN(bool ours, lock->Extend(options.lock_ttl));
        if (!ours) return absl::AbortedError("lost the overdue leader lock");
        return absl::OkStatus();
      });
  (void)lock->Release();
  if (!n.ok()) return n.status();
  return std::optional<int64_t>(*n);
}

OverdueJob::OverdueJob(std::shared_ptr<db::ConnectionPool> pool,
                       redis::RedisPool* redis,
                       std::shared_ptr<const Clock> clock,
                       OverdueJobOptions options)
    : pool_(std::move(pool)),
      redis_(redis),
      clock_(std::move(clock)),
      options_(options) {}

OverdueJob::~OverdueJob() { Stop(); }

void OverdueJob::Start() {
  loop_.Start([this] {
    while (true) {
      absl::StatusOr<bool> ran = RunOnce();
      if (!ran.ok()) {
        log::Warn("orders: overdue round failed",
                  {{"error", ran.status().ToString()}});
      }
      if (!loop_.WaitFor(options_.interval)) return;
    }
  });
}

void OverdueJob::Stop() { loop_.Stop(); }

absl::StatusOr<bool> OverdueJob::RunOnce() {
  const absl::Time now = clock_->Now();
  const absl::Time started = absl::Now();
  absl::StatusOr<std::optional<int64_t>> n =
      RunOverdueUnderLock(*pool_, redis_, options_, now, now);
  server::RecordJobRun("orders_overdue",
                       !n.ok()           ? "error"
                       : !n->has_value() ? "skipped"
                                         : "ok",
                       absl::Now() - started);
  if (!n.ok()) return n.status();
  return n->has_value();
}

}  // namespace crm::orders
