// SLA clock arithmetic over business hours (pure).
//
// The clock runs only inside the business hours of the ticket type: work
// days (ISO 1=Mon..7=Sun) from start_minute to end_minute local time, local
// time being UTC + utc_offset_minutes (default UTC+8). Time spent waiting on
// the customer is paused: it is measured in business seconds too and
// subtracted from the elapsed time.
#pragma once

#include <cstdint>
#include <set>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::tickets {

struct Hours {
  std::set<int> work_days = {1, 2, 3, 4, 5};
  int start_minute = 9 * 60;
  int end_minute = 18 * 60;
  int utc_offset_minutes = 8 * 60;
};

// INVALID_ARGUMENT (field "hours...") unless days are 1..7 and non-empty,
// 0 <= start < end <= 1440 and the offset within +-14h.
absl::Status ValidateHours(const Hours& h);

// Business seconds in [a, b); 0 when b <= a.
int64_t BusinessSeconds(const Hours& h, absl::Time a, absl::Time b);

// The instant at which `seconds` business seconds have passed since
// `start` (start itself for 0). A due time falls inside business hours.
absl::Time AddBusinessSeconds(const Hours& h, absl::Time start,
                              int64_t seconds);

// The SLA position of one target at `as_of`.
struct SlaClock {
  absl::Time started;       // ticket creation
  int64_t budget_seconds;   // business seconds allowed
  int64_t paused_seconds;   // business seconds of finished pauses
  absl::Time paused_since;  // InfinitePast unless paused now
  absl::Time stopped;       // InfiniteFuture unless the target was met
};
// Business seconds consumed by `as_of` (pauses excluded).
int64_t UsedSeconds(const Hours& h, const SlaClock& c, absl::Time as_of);
// When the budget runs out if no further pause happens (counting finished
// pauses; a running pause pushes it further, computed at as_of).
absl::Time DueAt(const Hours& h, const SlaClock& c, absl::Time as_of);

enum class SlaState { kOk, kNearBreach, kBreached };
// kBreached when used >= budget, kNearBreach when used * 100 >= budget *
// near_percent, else kOk.
SlaState Evaluate(const Hours& h, const SlaClock& c, absl::Time as_of,
                  int near_percent);

}  // namespace crm::tickets
