// Leaderboards in Redis sorted sets (keys: domain/leaderboard_keys.h, ADR
// 0033). MySQL is the truth; Rebuild() recomputes boards from totals read
// there, and gives exactly the boards live updates produce.
//
// Every command touches keys of one hash tag only (one metric and period
// kind, ADR 0037), so it works on Redis Cluster: a bump is one EVAL per
// period kind over that period's boards; a read is one EVAL over the
// current board and the previous period's (for rank changes).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis_pool.h"
#include "common/redis/sorted_set.h"
#include "services/orders/domain/leaderboard_keys.h"

namespace crm::orders {

// True for the error Read returns when a board is not (re)built yet.
bool IsBoardNotBuilt(const absl::Status& status);

class Leaderboards {
 public:
  // `redis` must outlive this object.
  explicit Leaderboards(redis::RedisPool* redis) : redis_(redis) {}

  // Adds `amount_minor` (negative for refunds) to every board of the day,
  // week and month containing `day` that the owner counts in.
  absl::Status Bump(BoardMetric metric, absl::CivilDay day, int64_t owner_id,
                    const std::string& owner_org_path, int64_t amount_minor);

  struct Entry {
    std::string member;
    int64_t score = 0;
    int64_t rank = 0;         // 1-based; 0 = not on the board
    int64_t rank_change = 0;  // previous rank - rank
    bool is_new = false;      // not on the previous period's board
  };
  struct Board {
    std::vector<Entry> top;
    Entry me;
  };
  // The top `top_n` of the board (user board when `parent` is empty, else
  // the child units of `parent`, or with `individuals` the users of
  // `parent`'s subtree), with `me` (may be empty) looked up too.
  // UNAVAILABLE with IsBoardNotBuilt() when the ready key of this period or
  // of the previous one is missing (Redis lost its data, ADR 0095): the
  // boards may be partial, so they are not read.
  absl::StatusOr<Board> Read(BoardMetric metric, const Period& period,
                             const std::string& parent, int top_n,
                             const std::string& me, bool individuals = false);

  struct OwnerTotal {
    int64_t owner_id = 0;
    std::string owner_org_path;
    int64_t amount_minor = 0;
  };
  // Replaces all boards of (metric, period) by those `totals` produce, then
  // writes the ready key; returns the number of boards written.
  absl::StatusOr<int64_t> Rebuild(BoardMetric metric, const Period& period,
                                  const std::vector<OwnerTotal>& totals);

  // Whether the ready key of (metric, period) exists.
  absl::StatusOr<bool> Ready(BoardMetric metric, const Period& period);
  // Writes the ready key without a rebuild (benchmarks that fill boards by
  // Bump alone).
  absl::Status MarkReady(BoardMetric metric, const Period& period);

  // Every board of (metric, period): key -> members by score (tests).
  absl::StatusOr<std::map<std::string, std::vector<redis::ScoredMember>>> Dump(
      BoardMetric metric, const Period& period);

 private:
  redis::RedisPool* redis_;
};

}  // namespace crm::orders
