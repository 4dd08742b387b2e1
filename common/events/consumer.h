// A consumer-group reader for one event stream that applies each event's
// effects in MySQL exactly once, given at-least-once delivery.
//
// For every entry it runs, in one transaction on the consuming service's
// own pool:
//     INSERT INTO processed_events (consumer, event_id, processed_at)
//     handler(event, tx)
// and XACKs the entry after COMMIT. processed_events.consumer is the group
// name, shared by all replicas of the subscribing service. A duplicate key
// on the insert means the event was already applied (the relay sent it
// twice, or an earlier ack was lost): the handler is skipped and the entry
// acknowledged. The insert also serialises two replicas racing on the same
// event: the second waits for the first one's row lock, then sees the
// duplicate (or proceeds if the first rolled back).
//
// What is read, in order, on each poll:
//   1. this consumer's own pending entries (delivered, never acked: a crash
//      or a handler error), from the start of its pending list;
//   2. entries other consumers left pending for at least claim_idle (a dead
//      replica), taken over with XAUTOCLAIM;
//   3. new entries (">").
//
// Handler error: the transaction rolls back, the entry is not acked and
// stays pending; it is retried on a later poll (and may be claimed by
// another replica after claim_idle). Deadlocks inside the handler are
// retried at once by db::RunInTransaction.
//
// Poison entries (fields missing or invalid, see event.h) can never succeed,
// so retrying them would only block the pending list: they are copied to the
// dead-letter stream (default "<stream>:dead") with the reason, then acked.
// If that copy fails the entry stays pending and is retried. Entries trimmed
// from the stream before they were processed (pending, but without fields)
// are logged as errors and acked: there is nothing left to process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/connection.h"
#include "common/db/pool.h"
#include "common/events/background_loop.h"
#include "common/events/event.h"
#include "common/redis/redis_pool.h"
#include "common/redis/streams.h"

namespace crm::events {

// Applies one event's effects using `tx`, which is inside the transaction
// that also records the event as processed. Must not commit or roll back.
// A non-OK status rolls everything back and leaves the entry for a retry.
using EventHandler =
    std::function<absl::Status(const Event& event, db::Connection& tx)>;

// This process's name within a consumer group: "<hostname>-<pid>", or
// "<fallback>-<pid>" when the host has no name.
std::string DefaultConsumerName(std::string_view fallback);

struct ConsumerOptions;
// Options to read `producer`'s stream ("identity" -> StreamFor("identity"))
// in consumer group `group`, this replica named `consumer` ("" =
// DefaultConsumerName(group)); the other options keep their defaults.
ConsumerOptions ConsumerOptionsFor(const std::string& producer,
                                   const std::string& group,
                                   std::string consumer = "");

struct ConsumerOptions {
  // The stream to read, before the Redis key prefix, e.g. StreamFor("leads").
  std::string stream;
  // The consumer group: the subscribing service (e.g. "accounts"). All its
  // replicas share it, and it is the `consumer` key in processed_events.
  // At most 128 ASCII characters.
  std::string group;
  // This replica within the group, unique per process (e.g. hostname-pid).
  std::string consumer;
  // Where a newly created group starts: "0" (default) processes everything
  // still in the stream, so a service subscribing late also sees events
  // published before it first started; "$" only what comes later. An
  // existing group keeps its position.
  std::string start_id = "0";
  // Entries per XREADGROUP / XAUTOCLAIM; >= 1.
  int batch_size = 100;
  // The background loop's XREADGROUP BLOCK when idle (>= 1ms; PollOnce
  // never blocks). Stop() waits for at
  // most this long (plus the command timeout if Redis hangs). The Redis
  // pool needs one connection per blocked consumer on top of other use.
  absl::Duration block = absl::Milliseconds(500);
  // Entries pending this long with another consumer are taken over.
  absl::Duration claim_idle = absl::Seconds(30);
  // How often the background loop looks for such entries and retries its
  // own pending (failed) entries. PollOnce always does both.
  absl::Duration claim_interval = absl::Seconds(5);
  // Wait after a failed poll (Redis or MySQL down) before the next.
  absl::Duration error_backoff = absl::Seconds(1);
  // Poison entries go here; empty means "<stream>:dead".
  std::string dead_letter_stream;
  // MAXLEN ~ of the dead-letter stream.
  int64_t dead_letter_max_length = 10000;

  // INVALID_ARGUMENT naming the option.
  absl::Status Validate() const;
};

struct ConsumerStats {
  int64_t applied = 0;     // handler ran and committed
  int64_t duplicates = 0;  // already in processed_events; skipped
  int64_t poison = 0;      // parked in the dead-letter stream
  int64_t trimmed = 0;     // pending entries no longer in the stream
  int64_t failed = 0;      // handler or transaction errors (left pending)
  int64_t claimed = 0;     // taken over from other consumers
};

class StreamConsumer {
 public:
  // `redis` must outlive the consumer. The processed_events table must
  // exist (EnsureEventTables).
  StreamConsumer(std::shared_ptr<db::ConnectionPool> pool,
                 redis::RedisPool* redis, ConsumerOptions options,
                 EventHandler handler,
                 std::shared_ptr<const Clock> clock = DefaultClock());
  ~StreamConsumer();  // Stop()s the loop
  StreamConsumer(const StreamConsumer&) = delete;
  StreamConsumer& operator=(const StreamConsumer&) = delete;

  // Creates the group if missing (start_id). Called by PollOnce and the
  // loop on first use, and again if the group disappears (Redis lost it).
  absl::Status EnsureGroup();

  // Processes up to `max` entries available now, without blocking: own
  // pending first, then claimable ones, then new. Returns the entries
  // acknowledged (applied, duplicates, poison and trimmed ones); failed
  // entries are not counted. An error means Redis or MySQL failed; entries
  // already acknowledged stay so. Not concurrent with the loop: calls are
  // serialised.
  absl::StatusOr<int> PollOnce(int max = 1000);

  // Polls on a background thread until Stop(). Idempotent.
  void Start();
  // Stops and joins the loop; returns after the entry in flight (if any)
  // is finished and at most `block` later. Idempotent.
  void Stop();

  ConsumerStats stats() const;
  const ConsumerOptions& options() const { return options_; }

 private:
  struct PollPlan {
    int max = 0;
    bool own_pending = false;
    bool claim = false;
    absl::Duration block;
  };
  absl::StatusOr<int> Poll(const PollPlan& plan);
  // Own pending entries from the start, page by page.
  absl::Status ProcessOwnPending(int* budget, int* acked);
  absl::Status ClaimAndProcess(int* budget, int* acked);
  // Handles `entries` and acks those that are done.
  absl::Status ProcessEntries(const std::vector<redis::StreamEntry>& entries,
                              int* acked);
  enum class Outcome { kAck, kLeavePending };
  Outcome ProcessEntry(const redis::StreamEntry& entry);
  // Copies a poison entry to the dead-letter stream.
  absl::Status Park(const redis::StreamEntry& entry,
                    const absl::Status& reason);
  absl::Status EnsureGroupLocked();
  // On NOGROUP (the stream or group vanished, e.g. Redis lost its data)
  // forgets the group so the next poll recreates it.
  void NoteRedisError(const absl::Status& status);
  void Loop();

  const std::shared_ptr<db::ConnectionPool> pool_;
  redis::RedisPool* const redis_;
  const ConsumerOptions options_;
  const EventHandler handler_;
  const std::shared_ptr<const Clock> clock_;
  redis::Streams streams_;
  const std::string dead_letter_stream_;

  std::mutex poll_mu_;        // one poll at a time
  bool group_ready_ = false;  // guarded by poll_mu_

  struct Counters {
    std::atomic<int64_t> applied{0}, duplicates{0}, poison{0}, trimmed{0},
        failed{0}, claimed{0};
  } counters_;

  // Last, so it is destroyed (and its thread joined) before the members
  // Loop() uses; ~StreamConsumer() stops it first anyway.
  BackgroundLoop loop_;
};

}  // namespace crm::events
