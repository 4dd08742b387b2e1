// Sorted-set helpers for leaderboards (sales ranking by signed amount...).
// Rankings are a cache: MySQL holds the truth and can rebuild any of them.
// Every key is prefixed with the pool's key prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/redis/redis_pool.h"

namespace crm::redis {

struct ScoredMember {
  std::string member;
  double score = 0;

  friend bool operator==(const ScoredMember&, const ScoredMember&) = default;
};

// Scores are doubles (Redis's own type): integers up to 2^53, e.g. money in
// minor units, are exact. NaN is rejected with INVALID_ARGUMENT.
class SortedSet {
 public:
  // `pool` must outlive this object.
  explicit SortedSet(RedisPool* pool) : pool_(pool) {}

  // Sets the member's score; returns true if the member is new.
  absl::StatusOr<bool> ZAdd(std::string_view key, std::string_view member,
                            double score);
  // Adds `increment` (creating the member at 0) and returns the new score.
  absl::StatusOr<double> ZIncrBy(std::string_view key, std::string_view member,
                                 double increment);
  // nullopt when the member (or the key) does not exist.
  absl::StatusOr<std::optional<double>> ZScore(std::string_view key,
                                               std::string_view member);
  // 0-based rank by descending score (0 = top); nullopt when absent.
  absl::StatusOr<std::optional<int64_t>> ZRevRank(std::string_view key,
                                                  std::string_view member);
  // Members ranked start..stop (inclusive, 0-based, negative counts from the
  // end as in Redis), highest score first; ties by member, descending.
  absl::StatusOr<std::vector<ScoredMember>> ZRevRangeWithScores(
      std::string_view key, int64_t start, int64_t stop);
  // Number of members (0 for a missing key).
  absl::StatusOr<int64_t> ZCard(std::string_view key);
  // Returns true if the member was there.
  absl::StatusOr<bool> ZRem(std::string_view key, std::string_view member);
  // Deletes the whole key (e.g. before a rebuild); true if it existed.
  absl::StatusOr<bool> Delete(std::string_view key);

 private:
  RedisPool* pool_;
};

// Shortest text that parses back to exactly `score` ("1.5", "inf").
std::string FormatScore(double score);

}  // namespace crm::redis
