// Calendar dates ("YYYY-MM-DD") and reporting periods on the business
// calendar (ADR 0030, 0035):
//   day "2026-11-25", ISO week "2026-W48", month "2026-11",
//   quarter "2026-Q4", year "2026".
// A period is the half-open day range [first, end). Which day an instant
// falls on (and when a day starts) is the BusinessCalendar's business time
// zone, Asia/Shanghai by default: 2026-03-31T23:30+08:00 is in March.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace crm::orders {

// INVALID_ARGUMENT "<field>: must be a date YYYY-MM-DD" unless a real
// calendar day in 1970..9999.
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view field,
                                         std::string_view text);
std::string FormatDate(absl::CivilDay day);

enum class PeriodKind {
  kDay = 1,
  kWeek = 2,
  kMonth = 3,
  kQuarter = 4,
  kYear = 5
};

struct Period {
  PeriodKind kind = PeriodKind::kMonth;
  absl::CivilDay first;
  absl::CivilDay end;  // exclusive
  std::string key;     // the canonical text, e.g. "2026-Q4"
};

inline constexpr char kDefaultBusinessTimeZone[] = "Asia/Shanghai";

// The business calendar: the time zone whose midnight starts every day,
// period and overdue boundary. Cheap to copy.
class BusinessCalendar {
 public:
  // Asia/Shanghai (from tzdata; fixed UTC+8 without it, the same days).
  BusinessCalendar();
  explicit BusinessCalendar(absl::TimeZone zone) : zone_(zone) {}

  absl::CivilDay DayOf(absl::Time t) const {
    return absl::ToCivilDay(t, zone_);
  }
  // Midnight starting `day` in the business zone.
  absl::Time StartOf(absl::CivilDay day) const {
    return absl::FromCivil(day, zone_);
  }
  // [Start, End) of a period as instants (signed_at ranges).
  absl::Time Start(const Period& p) const;
  absl::Time End(const Period& p) const;
  absl::TimeZone zone() const { return zone_; }

 private:
  absl::TimeZone zone_;
};

// Any of the five forms. INVALID_ARGUMENT "<field>: ..." otherwise.
absl::StatusOr<Period> ParsePeriod(std::string_view field,
                                   std::string_view text);
// The period of `kind` containing `day`.
Period PeriodContaining(PeriodKind kind, absl::CivilDay day);
// The period just before `p`, of the same kind.
Period PreviousPeriod(const Period& p);
std::string_view PeriodKindName(PeriodKind kind);

}  // namespace crm::orders
