#include "common/clock/time_zone.h"

#include <array>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace crm {
namespace {

bool TwoDigits(std::string_view s, int* out) {
  if (s.empty() || s.size() > 2) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

absl::Status Bad(std::string_view field, std::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": ", std::string(rule)));
}

}  // namespace

std::optional<int> ParseUtcOffset(std::string_view spec) {
  if (spec == "UTC" || spec == "Z") return 0;
  if (spec.substr(0, 3) == "UTC") spec.remove_prefix(3);
  if (spec.size() < 2 || (spec[0] != '+' && spec[0] != '-'))
    return std::nullopt;
  const int sign = spec[0] == '-' ? -1 : 1;
  spec.remove_prefix(1);
  int hours = 0, minutes = 0;
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    if (!TwoDigits(spec, &hours)) return std::nullopt;
  } else {
    if (!TwoDigits(spec.substr(0, colon), &hours) ||
        spec.size() - colon - 1 != 2 ||
        !TwoDigits(spec.substr(colon + 1), &minutes) || minutes > 59)
      return std::nullopt;
  }
  if (hours > 14 || (hours == 14 && minutes > 0)) return std::nullopt;
  return sign * (hours * 3600 + minutes * 60);
}

std::optional<int> KnownFixedOffset(std::string_view iana_name) {
  static constexpr std::array<std::pair<std::string_view, int>, 14> kZones = {{
      {"Asia/Shanghai", 8 * 3600},
      {"Asia/Chongqing", 8 * 3600},
      {"Asia/Chungking", 8 * 3600},
      {"Asia/Harbin", 8 * 3600},
      {"PRC", 8 * 3600},
      {"Asia/Hong_Kong", 8 * 3600},
      {"Asia/Macau", 8 * 3600},
      {"Asia/Taipei", 8 * 3600},
      {"Asia/Singapore", 8 * 3600},
      {"Asia/Tokyo", 9 * 3600},
      {"Asia/Seoul", 9 * 3600},
      {"UTC", 0},
      {"Etc/UTC", 0},
      {"Etc/GMT", 0},
  }};
  for (const auto& [name, offset] : kZones)
    if (name == iana_name) return offset;
  return std::nullopt;
}

absl::StatusOr<BusinessTimeZone> LoadBusinessTimeZone(std::string_view field,
                                                      std::string_view spec) {
  BusinessTimeZone out;
  out.name = std::string(spec);
  if (spec.empty()) return Bad(field, "must name a time zone");
  if (std::optional<int> offset = ParseUtcOffset(spec)) {
    out.zone = absl::FixedTimeZone(*offset);
    return out;
  }
  if (spec.size() > 64 || spec.find("..") != std::string_view::npos ||
      spec.front() == '/') {
    return Bad(field, "must be an IANA zone name or an offset like +08:00");
  }
  if (absl::LoadTimeZone(std::string(spec), &out.zone)) return out;
  if (std::optional<int> offset = KnownFixedOffset(spec)) {
    out.zone = absl::FixedTimeZone(*offset);
    out.fixed_fallback = true;
    return out;
  }
  return Bad(field, absl::StrCat("unknown time zone \"", std::string(spec),
                                 "\" (is the tzdata package installed?); "
                                 "use an IANA name or an offset like +08:00"));
}

}  // namespace crm
