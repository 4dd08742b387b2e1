// Stale opportunities (seed 004: 商机 that "die" in a rep's hands): an open
// opportunity with no stage change or activity for `stale_days` is stale
// from last_activity + stale_days. One alert per stale period: the alert
// remembers the last_activity it was raised for, and a new activity starts
// a new period. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/time/time.h"

namespace crm::opportunities {

struct StaleDecision {
  bool alert = false;
  absl::Time stale_since;
  int64_t idle_days = 0;  // whole days since the last activity
};

// `alerted_for`: the last_activity_at an earlier alert was raised for.
StaleDecision DecideStale(absl::Time last_activity, int stale_days,
                          std::optional<absl::Time> alerted_for,
                          absl::Time as_of);

// The pipeline's stale_days, or `default_days` when it is 0.
int EffectiveStaleDays(int pipeline_days, int default_days);

}  // namespace crm::opportunities
