#include "services/accounts/domain/visit_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/validate/geo.h"

namespace crm::accounts {
namespace {

int DayIndex(absl::Weekday d) {
  switch (d) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

std::string Hhmm(int minute) {
  return absl::StrFormat("%02d:%02d", minute / 60, minute % 60);
}

}  // namespace

double EffectiveRadiusM(double accuracy_m, const VisitPolicy& policy) {
  double leniency =
      std::isfinite(accuracy_m) && accuracy_m > 0 ? accuracy_m : 0;
  return policy.radius_m + std::min(leniency, policy.max_accuracy_leniency_m);
}

absl::Status CheckVisitDistance(double distance_m, double accuracy_m,
                                const VisitPolicy& policy) {
  const double allowed = EffectiveRadiusM(accuracy_m, policy);
  if (distance_m <= allowed) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "check-in is ", static_cast<int64_t>(std::llround(distance_m)),
      " m from the customer's location; at most ",
      static_cast<int64_t>(std::llround(allowed)), " m is accepted"));
}

absl::Status CheckWorkHours(absl::Time now, const VisitPolicy& policy) {
  const absl::TimeZone zone = absl::FixedTimeZone(policy.utc_offset_seconds);
  const absl::CivilSecond local = absl::ToCivilSecond(now, zone);
  const int minute = local.hour() * 60 + local.minute();
  const bool workday = policy.work_days[DayIndex(absl::GetWeekday(local))];
  if (workday && minute >= policy.work_start_minute &&
      minute < policy.work_end_minute) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "check-ins are accepted only during work hours (",
      Hhmm(policy.work_start_minute), "-", Hhmm(policy.work_end_minute),
      " local time, Monday to Saturday); it is now ",
      absl::FormatCivilTime(local), workday ? "" : ", not a work day"));
}

double ImpliedSpeedKmh(double distance_m, absl::Duration elapsed) {
  const double hours = absl::ToDoubleHours(elapsed);
  if (hours <= 0) {
    return distance_m > 0 ? std::numeric_limits<double>::infinity() : 0;
  }
  return distance_m / 1000.0 / hours;
}

std::optional<std::string> SuspiciousReason(
    const CheckInFix& current, const std::optional<CheckInFix>& previous,
    std::optional<int64_t> repeated_at_other_account,
    const VisitPolicy& policy) {
  std::vector<std::string> reasons;
  if (previous.has_value()) {
    const double jump = validate::HaversineMeters(previous->lat, previous->lng,
                                                  current.lat, current.lng);
    const double speed = ImpliedSpeedKmh(jump, current.at - previous->at);
    if (jump >= policy.min_suspicious_jump_m && speed > policy.max_speed_kmh) {
      reasons.push_back(absl::StrCat(
          "impossible speed: ", static_cast<int64_t>(std::llround(jump)),
          " m from the previous check-in at account ", previous->account_id,
          " in ",
          absl::FormatDuration(
              absl::Trunc(current.at - previous->at, absl::Seconds(1))),
          std::isinf(speed)
              ? std::string()
              : absl::StrCat(" (", static_cast<int64_t>(std::llround(speed)),
                             " km/h)")));
    }
    if (!previous->device_id.empty() && !current.device_id.empty() &&
        previous->device_id != current.device_id &&
        current.at - previous->at < policy.device_change_window) {
      reasons.push_back(
          absl::StrCat("device changed from \"", previous->device_id,
                       "\" to \"", current.device_id, "\" within ",
                       absl::FormatDuration(policy.device_change_window)));
    }
  }
  if (repeated_at_other_account.has_value()) {
    reasons.push_back(absl::StrCat(
        "coordinates repeat exactly an earlier check-in at account ",
        *repeated_at_other_account));
  }
  if (reasons.empty()) return std::nullopt;
  std::string out = absl::StrJoin(reasons, "; ");
  if (out.size() > 300) out.resize(300);  // visits.suspicious_reason
  return out;
}

}  // namespace crm::accounts
