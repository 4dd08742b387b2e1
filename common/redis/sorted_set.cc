#include "common/redis/sorted_set.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::redis {
namespace {

absl::Status CheckScore(std::string_view field, double v) {
  if (std::isnan(v)) return InvalidField(field, "must be a number, not NaN");
  return absl::OkStatus();
}

}  // namespace

std::string FormatScore(double score) {
  char buf[64];
  // to_chars without a precision writes the shortest exact round trip, so a
  // score survives Redis unchanged (StrCat would round to 6 digits).
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), score);
  return std::string(buf, end);
}

absl::StatusOr<bool> SortedSet::ZAdd(std::string_view key,
                                     std::string_view member, double score) {
  RETURN_IF_ERROR(CheckScore("score", score));
  ASSIGN_OR_RETURN(Reply reply,
                   pool_->Command({"ZADD", pool_->Key(key), FormatScore(score),
                                   std::string(member)}));
  ASSIGN_OR_RETURN(const int64_t added, reply.AsInteger());
  return added == 1;
}

absl::StatusOr<double> SortedSet::ZIncrBy(std::string_view key,
                                          std::string_view member,
                                          double increment) {
  RETURN_IF_ERROR(CheckScore("increment", increment));
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"ZINCRBY", pool_->Key(key),
                                                FormatScore(increment),
                                                std::string(member)}));
  return reply.AsDouble();
}

absl::StatusOr<std::optional<double>> SortedSet::ZScore(
    std::string_view key, std::string_view member) {
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"ZSCORE", pool_->Key(key),
                                                std::string(member)}));
  if (reply.is_nil()) return std::optional<double>();
  ASSIGN_OR_RETURN(const double score, reply.AsDouble());
  return std::optional<double>(score);
}

absl::StatusOr<std::optional<int64_t>> SortedSet::ZRevRank(
    std::string_view key, std::string_view member) {
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"ZREVRANK", pool_->Key(key),
                                                std::string(member)}));
  if (reply.is_nil()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(const int64_t rank, reply.AsInteger());
  return std::optional<int64_t>(rank);
}

absl::StatusOr<std::vector<ScoredMember>> SortedSet::ZRevRangeWithScores(
    std::string_view key, int64_t start, int64_t stop) {
  ASSIGN_OR_RETURN(
      Reply reply,
      pool_->Command({"ZREVRANGE", pool_->Key(key), absl::StrCat(start),
                      absl::StrCat(stop), "WITHSCORES"}));
  // RESP2 flattens WITHSCORES into member, score, member, score, ...
  if (!reply.is_array() || reply.elements.size() % 2 != 0) {
    return absl::InternalError(absl::StrCat(
        "redis: unexpected ZREVRANGE reply ", reply.DebugString()));
  }
  std::vector<ScoredMember> out;
  out.reserve(reply.elements.size() / 2);
  for (size_t i = 0; i < reply.elements.size(); i += 2) {
    ASSIGN_OR_RETURN(std::string member, reply.elements[i].AsString());
    ASSIGN_OR_RETURN(const double score, reply.elements[i + 1].AsDouble());
    out.push_back(ScoredMember{std::move(member), score});
  }
  return out;
}

absl::StatusOr<int64_t> SortedSet::ZCard(std::string_view key) {
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"ZCARD", pool_->Key(key)}));
  return reply.AsInteger();
}

absl::StatusOr<bool> SortedSet::ZRem(std::string_view key,
                                     std::string_view member) {
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"ZREM", pool_->Key(key),
                                                std::string(member)}));
  ASSIGN_OR_RETURN(const int64_t removed, reply.AsInteger());
  return removed == 1;
}

absl::StatusOr<bool> SortedSet::Delete(std::string_view key) {
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"DEL", pool_->Key(key)}));
  ASSIGN_OR_RETURN(const int64_t removed, reply.AsInteger());
  return removed == 1;
}

}  // namespace crm::redis
