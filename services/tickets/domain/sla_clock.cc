#include "services/tickets/domain/sla_clock.h"

#include <algorithm>

#include "absl/time/civil_time.h"
#include "common/status/status.h"

namespace crm::tickets {
namespace {

// Longest walk over the calendar (about ten years of days).
constexpr int kMaxDays = 3660;

absl::TimeZone Zone(const Hours& h) {
  return absl::FixedTimeZone(h.utc_offset_minutes * 60);
}

bool IsWorkDay(const Hours& h, absl::CivilDay d) {
  const int iso = static_cast<int>(absl::GetWeekday(d)) + 1;  // monday = 0
  return h.work_days.count(iso) > 0;
}

// The business window of day `d` as absolute times.
void Window(const Hours& h, absl::CivilDay d, absl::TimeZone tz,
            absl::Time* open, absl::Time* close) {
  const absl::Time midnight = absl::FromCivil(absl::CivilSecond(d), tz);
  *open = midnight + absl::Minutes(h.start_minute);
  *close = midnight + absl::Minutes(h.end_minute);
}

}  // namespace

absl::Status ValidateHours(const Hours& h) {
  if (h.work_days.empty()) {
    return InvalidField("hours.work_days", "must name at least one day");
  }
  for (int d : h.work_days) {
    if (d < 1 || d > 7) {
      return InvalidField("hours.work_days", "days are 1 (Mon) .. 7 (Sun)");
    }
  }
  if (h.start_minute < 0 || h.end_minute > 24 * 60 ||
      h.start_minute >= h.end_minute) {
    return InvalidField("hours", "need 0 <= start_minute < end_minute <= 1440");
  }
  if (h.utc_offset_minutes < -14 * 60 || h.utc_offset_minutes > 14 * 60) {
    return InvalidField("hours.utc_offset_minutes", "must be within +-840");
  }
  return absl::OkStatus();
}

int64_t BusinessSeconds(const Hours& h, absl::Time a, absl::Time b) {
  if (b <= a) return 0;
  const absl::TimeZone tz = Zone(h);
  absl::CivilDay day = absl::ToCivilDay(a, tz);
  const absl::CivilDay last = absl::ToCivilDay(b, tz);
  int64_t total = 0;
  for (int i = 0; day <= last && i < kMaxDays; ++day, ++i) {
    if (!IsWorkDay(h, day)) continue;
    absl::Time open, close;
    Window(h, day, tz, &open, &close);
    const absl::Time from = std::max(open, a);
    const absl::Time to = std::min(close, b);
    if (to > from) total += absl::ToInt64Seconds(to - from);
  }
  return total;
}

absl::Time AddBusinessSeconds(const Hours& h, absl::Time start,
                              int64_t seconds) {
  if (seconds <= 0) return start;
  const absl::TimeZone tz = Zone(h);
  absl::CivilDay day = absl::ToCivilDay(start, tz);
  for (int i = 0; i < kMaxDays; ++day, ++i) {
    if (!IsWorkDay(h, day)) continue;
    absl::Time open, close;
    Window(h, day, tz, &open, &close);
    const absl::Time from = std::max(open, start);
    if (close <= from) continue;
    const int64_t available = absl::ToInt64Seconds(close - from);
    if (seconds <= available) return from + absl::Seconds(seconds);
    seconds -= available;
  }
  return absl::InfiniteFuture();
}

int64_t UsedSeconds(const Hours& h, const SlaClock& c, absl::Time as_of) {
  const absl::Time end = std::min(as_of, c.stopped);
  int64_t used = BusinessSeconds(h, c.started, end) - c.paused_seconds;
  if (c.paused_since != absl::InfinitePast() && c.paused_since < end) {
    used -= BusinessSeconds(h, c.paused_since, end);
  }
  return std::max<int64_t>(used, 0);
}

absl::Time DueAt(const Hours& h, const SlaClock& c, absl::Time as_of) {
  if (c.paused_since != absl::InfinitePast()) {
    const int64_t left = c.budget_seconds - UsedSeconds(h, c, as_of);
    return AddBusinessSeconds(h, std::max(as_of, c.paused_since),
                              std::max<int64_t>(left, 0));
  }
  return AddBusinessSeconds(h, c.started, c.budget_seconds + c.paused_seconds);
}

SlaState Evaluate(const Hours& h, const SlaClock& c, absl::Time as_of,
                  int near_percent) {
  const int64_t used = UsedSeconds(h, c, as_of);
  if (used >= c.budget_seconds) return SlaState::kBreached;
  if (used * 100 >= c.budget_seconds * near_percent) {
    return SlaState::kNearBreach;
  }
  return SlaState::kOk;
}

}  // namespace crm::tickets
