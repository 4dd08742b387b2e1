#include "common/events/relay.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/transaction.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/redis/streams.h"
#include "common/server/metrics.h"
#include "common/status/status.h"

namespace crm::events {
namespace {

constexpr char kSelectUnpublished[] =
    "SELECT id, event_id, stream, event_type, aggregate_id, payload,"
    " occurred_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?";

// One row at a time by primary key, all in one transaction: a point update
// locks exactly the row that was sent. A set-based UPDATE (JSON_TABLE join,
// IN list, id range) may be planned as a scan over the unpublished rows and
// then wait on a row that an open transaction has just inserted, stalling
// the pass past its lock; an id range could also mark a row that committed
// late inside the range without it having been sent.
constexpr char kMarkPublished[] =
    "UPDATE outbox SET published_at = ? WHERE id = ? AND published_at IS NULL";

}  // namespace

absl::Status RelayOptions::Validate() const {
  if (name.empty()) return InvalidField("name", "must not be empty");
  if (batch_size < 1 || batch_size > 10000) {
    return InvalidField("batch_size", "must be in 1..10000");
  }
  if (max_batches_per_run < 1) {
    return InvalidField("max_batches_per_run", "must be >= 1");
  }
  if (poll_interval <= absl::ZeroDuration()) {
    return InvalidField("poll_interval", "must be positive");
  }
  if (error_backoff <= absl::ZeroDuration()) {
    return InvalidField("error_backoff", "must be positive");
  }
  if (lock_ttl < absl::Milliseconds(100)) {
    return InvalidField("lock_ttl", "must be at least 100ms");
  }
  if (max_stream_length.has_value() && *max_stream_length < 1) {
    return InvalidField("max_stream_length", "must be >= 1");
  }
  return absl::OkStatus();
}

OutboxRelay::OutboxRelay(std::shared_ptr<db::ConnectionPool> pool,
                         redis::RedisPool* redis, RelayOptions options,
                         std::shared_ptr<const Clock> clock)
    : pool_(std::move(pool)),
      redis_(redis),
      options_(std::move(options)),
      clock_(std::move(clock)),
      lock_key_(absl::StrCat("lock:outbox-relay:", options_.name)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<int> OutboxRelay::RunOnce() {
  RETURN_IF_ERROR(options_.Validate());
  // Each pass is a round of the scheduled job "outbox_relay" on /metrics.
  const absl::Time started = absl::Now();
  bool skipped = false;
  absl::StatusOr<int> n = RunPass(&skipped);
  server::RecordJobRun("outbox_relay",
                       !n.ok()   ? "error"
                       : skipped ? "skipped"
                                 : "ok",
                       absl::Now() - started);
  return n;
}

absl::StatusOr<int> OutboxRelay::RunPass(bool* skipped) {
  redis::DistributedLock lock(redis_);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> handle,
                   lock.TryAcquire(lock_key_, options_.lock_ttl));
  if (!handle.has_value()) {  // another replica is relaying
    *skipped = true;
    return 0;
  }

  int total = 0;
  for (int batch = 0; batch < options_.max_batches_per_run; ++batch) {
    if (batch > 0) {
      // Keep the lock for the next batch; if it expired someone else may be
      // relaying now, so stop rather than race them.
      ASSIGN_OR_RETURN(const bool still_ours,
                       handle->Extend(options_.lock_ttl));
      if (!still_ours) {
        log::Warn("outbox relay: lock expired during the pass",
                  {{"relay", options_.name}, {"published", total}});
        // Nothing to release any more; don't let the destructor warn.
        handle->Release().IgnoreError();
        return total;
      }
    }
    absl::StatusOr<int> published = PublishBatch();
    if (!published.ok()) return published.status();
    total += *published;
    if (*published < options_.batch_size) break;  // drained
  }
  absl::StatusOr<bool> released = handle->Release();
  if (!released.ok()) {
    // The rows are published; the lock just expires at its ttl.
    log::Warn(
        "outbox relay: lock release failed",
        {{"relay", options_.name}, {"error", released.status().ToString()}});
  }
  return total;
}

absl::StatusOr<int> OutboxRelay::PublishBatch() {
  std::vector<OutboxEvent> events;
  std::vector<int64_t> ids;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& conn) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            conn.Query(kSelectUnpublished,
                       {static_cast<int64_t>(options_.batch_size)}));
        events.clear();
        ids.clear();
        for (const db::Row& row : rows) {
          ids.push_back(row.Int("id"));
          events.push_back(OutboxEvent{
              .event_id = row.String("event_id"),
              .stream = row.String("stream"),
              .type = row.String("event_type"),
              .aggregate_id = row.String("aggregate_id"),
              .payload_json = row.String("payload"),
              .occurred_at = row.Time("occurred_at"),
          });
        }
        return absl::OkStatus();
      }));
  if (events.empty()) return 0;

  redis::Streams streams(redis_);
  std::vector<int64_t> sent;
  sent.reserve(ids.size());
  absl::Status send_error;
  for (size_t i = 0; i < events.size(); ++i) {
    absl::StatusOr<std::string> entry_id = streams.XAdd(
        events[i].stream, EncodeEvent(events[i]), options_.max_stream_length);
    if (!entry_id.ok()) {
      send_error = entry_id.status();
      break;
    }
    sent.push_back(ids[i]);
  }

  if (!sent.empty()) {
    const absl::Time now = clock_->Now();
    absl::Status marked =
        db::RunInTransaction(*pool_, [&](db::Connection& tx) -> absl::Status {
          for (const int64_t id : sent) {
            RETURN_IF_ERROR(tx.Exec(kMarkPublished, {now, id}).status());
          }
          return absl::OkStatus();
        });
    if (!marked.ok()) {
      // The entries are in the stream; the rows go out again next pass and
      // consumers drop the duplicates by event_id.
      log::Warn(
          "outbox relay: sent rows not marked published; they will be "
          "sent again",
          {{"relay", options_.name},
           {"rows", sent.size()},
           {"error", marked.ToString()}});
      return marked;
    }
  }
  if (!send_error.ok()) {
    log::Warn("outbox relay: XADD failed; unsent rows stay in the outbox",
              {{"relay", options_.name},
               {"sent", sent.size()},
               {"unsent", ids.size() - sent.size()},
               {"error", send_error.ToString()}});
    return send_error;
  }
  return static_cast<int>(sent.size());
}

void OutboxRelay::Start() {
  loop_.Start([this] { Loop(); });
}

void OutboxRelay::Stop() { loop_.Stop(); }

void OutboxRelay::Notify() { loop_.Notify(); }

void OutboxRelay::Loop() {
  if (absl::Status valid = options_.Validate(); !valid.ok()) {
    log::Error("outbox relay: not started",
               {{"relay", options_.name}, {"error", valid.ToString()}});
    return;
  }
  log::Info("outbox relay started", {{"relay", options_.name}});
  bool last_failed = false;
  while (true) {
    absl::Duration wait = options_.poll_interval;
    absl::StatusOr<int> published = RunOnce();
    if (!published.ok()) {
      if (!last_failed) {  // log the transition, not every retry
        log::Error("outbox relay pass failed",
                   {{"relay", options_.name},
                    {"error", published.status().ToString()}});
      }
      last_failed = true;
      wait = options_.error_backoff;
    } else {
      if (last_failed) {
        log::Info("outbox relay recovered", {{"relay", options_.name}});
      }
      last_failed = false;
      // A full pass means more rows may be waiting: go again at once.
      const int full = options_.batch_size * options_.max_batches_per_run;
      if (*published >= full) wait = absl::ZeroDuration();
    }
    if (!loop_.WaitFor(wait)) break;
  }
  log::Info("outbox relay stopped", {{"relay", options_.name}});
}

}  // namespace crm::events
