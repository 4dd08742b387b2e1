// Leaderboard key design (ADR 0033, 0037). One Redis Cluster hash tag per
// metric and period kind, so every board of one metric and kind — this
// period's and the previous one's — lives in one slot and a read (top N,
// my rank, rank changes against the previous period) is one EVAL:
//   lb:{signed:month}:2026-11:user           members: user ids
//   lb:{signed:month}:2026-11:sub:/1/4/      members: child unit ids of
//                                            unit /1/4/ (teams of a region)
//   lb:{signed:month}:2026-11:users:/1/4/    members: user ids in the
//                                            subtree of unit /1/4/ (below
//                                            the root; the root's is :user)
//   lb:{signed:month}:2026-11:keys           a set of the boards above
//   lb:{signed:month}:2026-11:ready          the time of the last rebuild
//                                            (ADR 0095: no key, no read)
// Scores are integer minor units (exact as doubles below 2^53).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/orders/domain/periods.h"

namespace crm::orders {

enum class BoardMetric { kSigned = 1, kReceived = 2 };

// The boards' common prefix for (metric, period), e.g.
// "{signed:month}:2026-11" (the hash tag is the part in braces).
std::string BoardTag(BoardMetric metric, const Period& period);
std::string UserBoardKey(const std::string& tag);
std::string SubBoardKey(const std::string& tag, const std::string& parent);
// Individuals of one unit's subtree; the company board for the root unit.
std::string UnitUsersBoardKey(const std::string& tag, const std::string& unit);
std::string BoardIndexKey(const std::string& tag);
// Written last by a rebuild of (metric, period) (ADR 0095): while it is
// missing (Redis lost its data) the boards of that tag are not read.
std::string BoardReadyKey(const std::string& tag);

struct BoardBump {
  std::string key;
  std::string member;
};

// Every board entry an amount owned by `owner_id` at `owner_org_path`
// moves: the user board, one child-unit board per ancestor, and one
// individuals board per unit below the root on the owner's path.
std::vector<BoardBump> BumpsFor(const std::string& tag, int64_t owner_id,
                                const std::string& owner_org_path);

// The kinds leaderboards keep: day, week, month.
const std::vector<PeriodKind>& BoardPeriodKinds();

}  // namespace crm::orders
