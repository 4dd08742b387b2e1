// The outbox relay: publishes a service's committed outbox rows to their
// Redis Streams and marks them published.
//
// One pass (RunOnce):
//   1. takes the Redis lock "lock:outbox-relay:<name>" (SET NX PX, ttl
//      lock_ttl); if another replica holds it the pass does nothing, so one
//      relay per service publishes at a time;
//   2. reads up to batch_size rows WHERE published_at IS NULL ORDER BY id;
//   3. XADDs each to its row's stream (fields: see event.h), trimming with
//      MAXLEN ~ max_stream_length;
//   4. marks exactly the rows it added published, each by primary key in one
//      transaction (so a row that committed late inside the id range of the
//      batch is never marked without being sent, and an open transaction's
//      fresh outbox row never blocks the update);
//   5. repeats with the next batch (extending the lock) up to
//      max_batches_per_run times, then releases the lock.
//
// Delivery is at least once: if the process dies (or MySQL fails) between
// XADD and the UPDATE, the rows are sent again by the next pass, so stream
// readers must dedupe by event_id (StreamConsumer does). The lock is a guard
// against duplicate work, not against duplicates in general: a pass that
// outlives its lock (e.g. a long GC-like stall) can overlap with another.
//
// Order: rows go out in id order within a pass. A transaction that took a
// lower AUTO_INCREMENT id but committed after a higher one is published
// later than that higher one, so consumers must not rely on a global order.
//
// Nothing is lost while Redis is down: RunOnce returns UNAVAILABLE and the
// rows stay unpublished until a later pass.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/redis/redis_pool.h"

namespace crm::events {

struct RelayOptions {
  // Names the relay's lock: "lock:outbox-relay:<name>" (plus the Redis key
  // prefix). Use the service name: one relay per service schema runs at a
  // time across replicas. Required.
  std::string name;
  // Rows per SELECT / XADD round; 1..10000.
  int batch_size = 100;
  // Batches one pass may publish before it yields the lock; >= 1.
  int max_batches_per_run = 10;
  // How long the background loop sleeps when there was nothing (or only a
  // partial batch) to publish; Notify() cuts the wait short.
  absl::Duration poll_interval = absl::Milliseconds(200);
  // Wait after a failed pass (Redis or MySQL down) before the next one.
  absl::Duration error_backoff = absl::Seconds(1);
  // Lifetime of the relay lock; extended before every batch. Must be far
  // above the time one batch takes.
  absl::Duration lock_ttl = absl::Seconds(5);
  // XADD MAXLEN ~ this many entries; nullopt keeps streams untrimmed. Keep
  // it well above what a consumer can fall behind by: a consumer whose
  // pending entry was trimmed away cannot process it.
  std::optional<int64_t> max_stream_length = 100000;

  // INVALID_ARGUMENT naming the option.
  absl::Status Validate() const;
};

class OutboxRelay {
 public:
  // `redis` must outlive the relay. The outbox table must exist
  // (EnsureEventTables).
  OutboxRelay(std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
              RelayOptions options,
              std::shared_ptr<const Clock> clock = DefaultClock());
  ~OutboxRelay();  // Stop()s the loop
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // One pass (see the file comment). Returns the rows published, 0 when
  // there was nothing to do or another relay holds the lock. Errors:
  // INVALID_ARGUMENT (bad options), UNAVAILABLE when Redis is unreachable
  // (the unsent rows stay unpublished), MySQL errors as from common/db.
  // Thread-safe; concurrent passes exclude each other through the lock.
  // Every pass is recorded as a round of job "outbox_relay" (ok, skipped
  // when another relay held the lock, error) on /metrics.
  absl::StatusOr<int> RunOnce();

  // Runs passes on a background thread until Stop(): immediately again
  // after a full pass, otherwise after poll_interval (error_backoff after a
  // failure, which is logged). Idempotent.
  void Start();
  // Stops the loop and joins the thread; returns once the current pass (if
  // any) has finished. Idempotent.
  void Stop();
  // Wakes the loop for a pass now, e.g. after committing an outbox row.
  void Notify();

  const RelayOptions& options() const { return options_; }

 private:
  void Loop();
  // RunOnce without the metrics; `skipped` set when another relay held the
  // lock.
  absl::StatusOr<int> RunPass(bool* skipped);
  // Publishes one batch while holding the lock; returns rows published.
  absl::StatusOr<int> PublishBatch();

  const std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* const redis_;
  const RelayOptions options_;
  const std::shared_ptr<const Clock> clock_;
  const std::string lock_key_;

  // Last, so it is destroyed (and its thread joined) before the members
  // Loop() uses; ~OutboxRelay() stops it first anyway.
  BackgroundLoop loop_;
};

}  // namespace crm::events
