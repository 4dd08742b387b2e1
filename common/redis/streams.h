// Thin Redis Streams helpers for the events library: append, consumer
// groups, acknowledge, and recovery of entries a dead consumer left pending.
// Every stream name is prefixed with the pool's key prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_pool.h"

namespace crm::redis {

// Field/value pairs in the order they were added (binary safe).
using StreamFields = std::vector<std::pair<std::string, std::string>>;

struct StreamEntry {
  std::string id;  // "<ms>-<seq>"
  StreamFields fields;
  // Set when a pending entry was trimmed/deleted from the stream: it has no
  // fields any more and should just be acknowledged.
  bool deleted = false;

  friend bool operator==(const StreamEntry&, const StreamEntry&) = default;
};

struct AutoClaimResult {
  // Cursor for the next XAutoClaim call; "0-0" once the scan is complete.
  std::string next_start;
  std::vector<StreamEntry> entries;  // now owned by the claiming consumer
  // Pending ids whose entries no longer exist; Redis already dropped them
  // from the pending list (Redis 7).
  std::vector<std::string> deleted_ids;
};

class Streams {
 public:
  // `pool` must outlive this object.
  explicit Streams(RedisPool* pool) : pool_(pool) {}

  // XADD with an auto id; returns the id. With `max_len_approx`, trims with
  // MAXLEN ~ (cheap, whole macro nodes), keeping at least that many.
  // INVALID_ARGUMENT when `fields` is empty (Redis needs one pair).
  absl::StatusOr<std::string> XAdd(
      std::string_view stream, const StreamFields& fields,
      std::optional<int64_t> max_len_approx = std::nullopt);

  // Creates `group` reading from `start_id` ("$": only new entries, "0":
  // the whole stream), creating the stream if needed. OK if the group
  // already exists (its position is left alone).
  absl::Status EnsureGroup(std::string_view stream, std::string_view group,
                           std::string_view start_id = "$");

  // XREADGROUP for one stream. `id` ">" reads entries never delivered to
  // the group; "0" re-reads this consumer's own pending (delivered, not
  // acked) entries, which is how a restarted consumer recovers.
  // `block` > 0 waits up to that long for new entries (BLOCK; only useful
  // with ">"); zero returns at once. An empty vector means nothing to read.
  //
  // A blocking read holds one pooled connection for up to `block`: size the
  // pool for it (one per consumer thread plus the rest of the service's
  // needs) and keep `block` short (a second or two) so shutdown is quick.
  // NOT_FOUND (IsRedisError "NOGROUP") when the group or stream is missing.
  absl::StatusOr<std::vector<StreamEntry>> XReadGroup(
      std::string_view group, std::string_view consumer,
      std::string_view stream, int64_t count,
      absl::Duration block = absl::ZeroDuration(), std::string_view id = ">");

  // This consumer's pending entries from the start: XReadGroup with id "0".
  absl::StatusOr<std::vector<StreamEntry>> ReadPending(
      std::string_view group, std::string_view consumer,
      std::string_view stream, int64_t count);

  // Acknowledges `ids`; returns how many were pending.
  absl::StatusOr<int64_t> XAck(std::string_view stream, std::string_view group,
                               const std::vector<std::string>& ids);

  // Takes over up to `count` entries that have been pending (with any
  // consumer) for at least `min_idle`, scanning from `start` ("0-0" for the
  // beginning). Used to redeliver what a dead consumer never acked.
  absl::StatusOr<AutoClaimResult> XAutoClaim(std::string_view stream,
                                             std::string_view group,
                                             std::string_view consumer,
                                             absl::Duration min_idle,
                                             std::string_view start,
                                             int64_t count);

  // Number of entries in the stream (0 when missing).
  absl::StatusOr<int64_t> XLen(std::string_view stream);

 private:
  RedisPool* pool_;
};

}  // namespace crm::redis
