#include "services/orders/leaderboards.h"

#include <set>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/status.h"

namespace crm::orders {
namespace {

// KEYS[1] = index set, KEYS[2..] = boards; ARGV[1] = increment,
// ARGV[2..] = the member of each board.
constexpr char kBumpScript[] =
    "for i = 2, #KEYS do "
    "redis.call('zincrby', KEYS[i], ARGV[1], ARGV[i]) "
    "redis.call('sadd', KEYS[1], KEYS[i]) end return #KEYS - 1";

// KEYS[1] = board, KEYS[2] = the same board of the previous period (same
// hash tag), KEYS[3] / KEYS[4] = the ready keys of both periods; ARGV[1] =
// top_n, ARGV[2] = me ("" = none).
// Returns 0 when a ready key is missing (ADR 0095), else {flat member/score
// list, my rank or -1, my score or "", previous 0-based rank or -1 of each top
// member, mine or -1}: one round trip for the whole read.
constexpr char kReadScript[] =
    "if redis.call('exists', KEYS[3]) == 0 or "
    "redis.call('exists', KEYS[4]) == 0 then return 0 end "
    "local top = redis.call('zrevrange', KEYS[1], 0, tonumber(ARGV[1]) - 1, "
    "'withscores') "
    "local r = -1 local s = '' local pr = -1 "
    "if ARGV[2] ~= '' then "
    "local x = redis.call('zrevrank', KEYS[1], ARGV[2]) "
    "if x then r = x s = redis.call('zscore', KEYS[1], ARGV[2]) "
    "pr = redis.call('zrevrank', KEYS[2], ARGV[2]) or -1 end end "
    "local prev = {} "
    "for i = 1, #top, 2 do "
    "prev[#prev + 1] = redis.call('zrevrank', KEYS[2], top[i]) or -1 end "
    "return {top, r, s, prev, pr}";

constexpr char kNotBuiltPayload[] = "crm.orders/board-not-built";

int64_t ScoreOf(const std::string& text) {
  double d = 0;
  if (!absl::SimpleAtod(text, &d)) return 0;
  return static_cast<int64_t>(d);
}

}  // namespace

bool IsBoardNotBuilt(const absl::Status& status) {
  return absl::IsUnavailable(status) &&
         status.GetPayload(kNotBuiltPayload).has_value();
}

absl::Status Leaderboards::Bump(BoardMetric metric, absl::CivilDay day,
                                int64_t owner_id,
                                const std::string& owner_org_path,
                                int64_t amount_minor) {
  if (amount_minor == 0) return absl::OkStatus();
  for (PeriodKind kind : BoardPeriodKinds()) {
    const std::string tag = BoardTag(metric, PeriodContaining(kind, day));
    std::vector<BoardBump> bumps = BumpsFor(tag, owner_id, owner_org_path);
    std::vector<std::string> argv = {"EVAL", kBumpScript,
                                     absl::StrCat(bumps.size() + 1),
                                     redis_->Key(BoardIndexKey(tag))};
    for (const BoardBump& b : bumps) argv.push_back(redis_->Key(b.key));
    argv.push_back(absl::StrCat(amount_minor));
    for (const BoardBump& b : bumps) argv.push_back(b.member);
    RETURN_IF_ERROR(redis_->Command(argv).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<Leaderboards::Board> Leaderboards::Read(
    BoardMetric metric, const Period& period, const std::string& parent,
    int top_n, const std::string& me, bool individuals) {
  const std::string tag = BoardTag(metric, period);
  const std::string prev_tag = BoardTag(metric, PreviousPeriod(period));
  auto board_key = [&](const std::string& t) {
    if (parent.empty()) return UserBoardKey(t);
    return individuals ? UnitUsersBoardKey(t, parent) : SubBoardKey(t, parent);
  };
  const std::string key = board_key(tag);
  const std::string prev_key = board_key(prev_tag);
  ASSIGN_OR_RETURN(
      redis::Reply cur,
      redis_->Command({"EVAL", kReadScript, "4", redis_->Key(key),
                       redis_->Key(prev_key), redis_->Key(BoardReadyKey(tag)),
                       redis_->Key(BoardReadyKey(prev_tag)),
                       absl::StrCat(top_n), me}));
  if (cur.type == redis::Reply::Type::kInteger && cur.integer == 0) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("leaderboard ", period.key,
                     " is being rebuilt from the database; retry shortly"));
    s.SetPayload(kNotBuiltPayload, absl::Cord("1"));
    return s;
  }
  if (!cur.is_array() || cur.elements.size() != 5 ||
      !cur.elements[0].is_array() || !cur.elements[3].is_array() ||
      cur.elements[3].elements.size() * 2 != cur.elements[0].elements.size()) {
    return absl::InternalError("leaderboard read: unexpected reply");
  }
  Board board;
  const std::vector<redis::Reply>& flat = cur.elements[0].elements;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    Entry e;
    e.member = flat[i].str;
    e.score = ScoreOf(flat[i + 1].str);
    e.rank = static_cast<int64_t>(i / 2) + 1;
    board.top.push_back(std::move(e));
  }
  if (!me.empty() && cur.elements[1].integer >= 0) {
    board.me.member = me;
    board.me.rank = cur.elements[1].integer + 1;
    board.me.score = ScoreOf(cur.elements[2].str);
  }
  // Rank changes against the previous period's board (same reply).
  auto apply = [](Entry& e, int64_t prev_rank) {
    if (prev_rank < 0) {
      e.is_new = true;
    } else {
      e.rank_change = (prev_rank + 1) - e.rank;
    }
  };
  const std::vector<redis::Reply>& prev = cur.elements[3].elements;
  for (size_t i = 0; i < board.top.size(); ++i)
    apply(board.top[i], prev[i].integer);
  if (board.me.rank > 0) apply(board.me, cur.elements[4].integer);
  return board;
}

absl::StatusOr<int64_t> Leaderboards::Rebuild(
    BoardMetric metric, const Period& period,
    const std::vector<OwnerTotal>& totals) {
  const std::string tag = BoardTag(metric, period);
  std::map<std::string, std::map<std::string, int64_t>> boards;
  for (const OwnerTotal& t : totals) {
    for (const BoardBump& b : BumpsFor(tag, t.owner_id, t.owner_org_path))
      boards[b.key][b.member] += t.amount_minor;
  }
  const std::string index = redis_->Key(BoardIndexKey(tag));
  ASSIGN_OR_RETURN(redis::Reply old, redis_->Command({"SMEMBERS", index}));
  std::set<std::string> stale;
  for (const redis::Reply& r : old.elements) stale.insert(r.str);
  for (const auto& [key, members] : boards) {
    const std::string full = redis_->Key(key);
    const std::string tmp = full + ":rebuild";
    RETURN_IF_ERROR(redis_->Command({"DEL", tmp}).status());
    std::vector<std::string> argv = {"ZADD", tmp};
    for (const auto& [member, score] : members) {
      argv.push_back(absl::StrCat(score));
      argv.push_back(member);
      if (argv.size() >= 1002) {
        RETURN_IF_ERROR(redis_->Command(argv).status());
        argv.resize(2);
      }
    }
    if (argv.size() > 2) RETURN_IF_ERROR(redis_->Command(argv).status());
    RETURN_IF_ERROR(redis_->Command({"RENAME", tmp, full}).status());
    RETURN_IF_ERROR(redis_->Command({"SADD", index, full}).status());
    stale.erase(full);
  }
  for (const std::string& key : stale) {
    RETURN_IF_ERROR(redis_->Command({"DEL", key}).status());
    RETURN_IF_ERROR(redis_->Command({"SREM", index, key}).status());
  }
  RETURN_IF_ERROR(MarkReady(metric, period));
  return static_cast<int64_t>(boards.size());
}

absl::StatusOr<bool> Leaderboards::Ready(BoardMetric metric,
                                         const Period& period) {
  ASSIGN_OR_RETURN(
      redis::Reply r,
      redis_->Command(
          {"EXISTS", redis_->Key(BoardReadyKey(BoardTag(metric, period)))}));
  return r.integer > 0;
}

absl::Status Leaderboards::MarkReady(BoardMetric metric, const Period& period) {
  return redis_
      ->Command({"SET", redis_->Key(BoardReadyKey(BoardTag(metric, period))),
                 absl::StrCat(absl::ToUnixSeconds(absl::Now()))})
      .status();
}

absl::StatusOr<std::map<std::string, std::vector<redis::ScoredMember>>>
Leaderboards::Dump(BoardMetric metric, const Period& period) {
  const std::string tag = BoardTag(metric, period);
  ASSIGN_OR_RETURN(
      redis::Reply keys,
      redis_->Command({"SMEMBERS", redis_->Key(BoardIndexKey(tag))}));
  std::map<std::string, std::vector<redis::ScoredMember>> out;
  for (const redis::Reply& k : keys.elements) {
    ASSIGN_OR_RETURN(redis::Reply z, redis_->Command({"ZRANGE", k.str, "0",
                                                      "-1", "WITHSCORES"}));
    std::vector<redis::ScoredMember>& board = out[k.str];
    for (size_t i = 0; i + 1 < z.elements.size(); i += 2) {
      board.push_back({z.elements[i].str,
                       static_cast<double>(ScoreOf(z.elements[i + 1].str))});
    }
  }
  return out;
}

}  // namespace crm::orders
