// Time zones for business-day boundaries (which calendar day an instant
// falls on: a day's sales, a month's target, an overdue installment).
//
// LoadBusinessTimeZone accepts
//   - an IANA name ("Asia/Shanghai", "UTC"), read from the system tzdata
//     (Debian package `tzdata`; $TZDIR overrides /usr/share/zoneinfo);
//   - a fixed offset: "+08:00", "-05:30", "UTC+8", "UTC+08:00", "UTC".
// When tzdata is missing (a slim container image without `tzdata`), the
// IANA names in KnownFixedOffset() fall back to their fixed offset: those
// zones have had no daylight saving time since 1992, so the fallback gives
// the same days for every date after that. Any other unknown name is an
// error, never a silent UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm {

struct BusinessTimeZone {
  absl::TimeZone zone;
  // What was asked for ("Asia/Shanghai", "+08:00").
  std::string name;
  // True when `name` is an IANA name that tzdata could not load and the
  // fixed-offset fallback is in use (worth a start-up warning).
  bool fixed_fallback = false;
};

// INVALID_ARGUMENT "<field>: ..." for an empty, malformed or unknown zone.
absl::StatusOr<BusinessTimeZone> LoadBusinessTimeZone(std::string_view field,
                                                      std::string_view spec);

// The fixed UTC offset (seconds) of an IANA zone without DST since 1992
// (Asia/Shanghai and the other China zones, Hong Kong, Macau, Taipei,
// Singapore, Tokyo, Seoul, UTC), or nullopt.
std::optional<int> KnownFixedOffset(std::string_view iana_name);

// "+08:00" / "-05:30" / "UTC+8" / "UTC+08:00" / "UTC" -> offset seconds
// (at most 14 hours either way), or nullopt if `spec` is not of that form.
std::optional<int> ParseUtcOffset(std::string_view spec);

}  // namespace crm
