#include "services/accounts/domain/visit_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

namespace {

absl::Status Bad(std::string_view field, std::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": ", std::string(rule)));
}

// "HH:MM" -> minutes after midnight (24:00 allowed as the end of a day).
std::optional<int> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::optional<int> DayIndex(std::string_view name) {
  static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu",
                                               "fri", "sat", "sun"};
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  for (int i = 0; i < 7; ++i) {
    if (lower == kDays[i]) return i;
  }
  return std::nullopt;
}

}  // namespace

absl::Status ParseWorkHours(std::string_view text, std::string_view field,
                            VisitPolicy* policy) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos)
    return Bad(field, "must look like 08:00-20:00");
  std::optional<int> start = ParseClock(text.substr(0, dash));
  std::optional<int> end = ParseClock(text.substr(dash + 1));
  if (!start.has_value() || !end.has_value())
    return Bad(field, "must look like 08:00-20:00");
  if (*start >= *end) return Bad(field, "the start must be before the end");
  policy->work_start_minute = *start;
  policy->work_end_minute = *end;
  return absl::OkStatus();
}

absl::Status ParseWorkDays(std::string_view text, std::string_view field,
                           VisitPolicy* policy) {
  bool days[7] = {false, false, false, false, false, false, false};
  bool any = false;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t dash = part.find('-');
    std::optional<int> from = DayIndex(std::string_view(
        part.substr(0, dash).data(), part.substr(0, dash).size()));
    std::optional<int> to = from;
    if (dash != absl::string_view::npos) {
      absl::string_view rest = part.substr(dash + 1);
      to = DayIndex(std::string_view(rest.data(), rest.size()));
    }
    if (!from.has_value() || !to.has_value() || *from > *to) {
      return Bad(field,
                 "must list days like Mon-Sat or Mon,Wed,Fri (Mon..Sun)");
    }
    for (int d = *from; d <= *to; ++d) days[d] = any = true;
  }
  if (!any) return Bad(field, "must name at least one day");
  for (int d = 0; d < 7; ++d) policy->work_days[d] = days[d];
  return absl::OkStatus();
}

}  // namespace crm::accounts
