// The visit check-in rules of seed 004 (拜访签到) as pure functions: is the
// rep close enough to the customer, is it working time, and does the
// check-in look faked? No I/O; the time is always passed in.
//
// Defaults (VisitPolicy{}) are the service's configuration until the
// accounts config grows visit knobs:
//   * radius 500 m around the account's location, plus the reported GPS
//     accuracy as leniency, capped at 100 m (a fix claiming "±2 km" must
//     not turn 500 m into 2.5 km; a decent phone reports 5..50 m);
//   * work hours 08:00 <= local time < 20:00, Monday to Saturday, China
//     Standard Time (UTC+8, no daylight saving since 1991, so a fixed
//     offset: no tzdata needed);
//   * suspicious when the implied speed from the same user's previous
//     check-in exceeds 200 km/h (faster than any car; high-speed rail
//     between two visits inside a day is possible but rare enough to be
//     worth a manager's look), ignoring jumps under 1 km (GPS jitter when
//     two check-ins are seconds apart);
//   * suspicious when the coordinates repeat exactly (bit for bit) a
//     previous check-in of the same user at another account: real GPS
//     fixes never repeat to full double precision, replayed/mocked ones do;
//   * suspicious when the device id differs from the user's previous
//     check-in less than 2 h earlier (one phone per rep; a second phone
//     checking in for an absent colleague is the classic trick).
// Suspicious check-ins are accepted and flagged for review, not refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::accounts {

struct VisitPolicy {
  double radius_m = 500;
  double max_accuracy_leniency_m = 100;
  // Minutes after local midnight: [start, end).
  int work_start_minute = 8 * 60;
  int work_end_minute = 20 * 60;
  // Indexed by absl::Weekday order Monday(0)..Sunday(6).
  bool work_days[7] = {true, true, true, true, true, true, false};
  int utc_offset_seconds = 8 * 3600;  // China Standard Time
  double max_speed_kmh = 200;
  double min_suspicious_jump_m = 1000;
  absl::Duration device_change_window = absl::Hours(2);
};

// "HH:MM-HH:MM" (start < end, local time) into work_start/end_minute.
// INVALID_ARGUMENT "<field>: <rule>" otherwise; `policy` unchanged then.
absl::Status ParseWorkHours(std::string_view text, std::string_view field,
                            VisitPolicy* policy);
// Days as "Mon-Sat", "Mon,Wed,Fri" or a mix ("Mon-Wed,Sat"), English
// three-letter names, case-insensitive, into work_days.
absl::Status ParseWorkDays(std::string_view text, std::string_view field,
                           VisitPolicy* policy);

// Accuracy a client may report (meters); beyond this the fix is useless and
// the request is refused as INVALID_ARGUMENT.
inline constexpr double kMaxAccuracyM = 5000;

// The radius a check-in with this reported accuracy is held to.
double EffectiveRadiusM(double accuracy_m, const VisitPolicy& policy);

// OK within EffectiveRadiusM, else FAILED_PRECONDITION stating the distance
// and the allowed radius in whole meters.
absl::Status CheckVisitDistance(double distance_m, double accuracy_m,
                                const VisitPolicy& policy);

// OK inside work hours, else FAILED_PRECONDITION stating the local time and
// the window.
absl::Status CheckWorkHours(absl::Time now, const VisitPolicy& policy);

// km/h between two fixes; +infinity when no time passed and they differ.
double ImpliedSpeedKmh(double distance_m, absl::Duration elapsed);

struct CheckInFix {
  absl::Time at;
  double lat = 0;
  double lng = 0;
  int64_t account_id = 0;
  std::string device_id;
};

// Why a check-in looks faked, or nullopt. `previous` is the same user's
// latest earlier check-in (any account); `repeated_at_other_account` is
// the id of another account where this user checked in at exactly the same
// coordinates before, if any.
std::optional<std::string> SuspiciousReason(
    const CheckInFix& current, const std::optional<CheckInFix>& previous,
    std::optional<int64_t> repeated_at_other_account,
    const VisitPolicy& policy);

}  // namespace crm::accounts
