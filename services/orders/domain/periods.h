// Calendar dates ("YYYY-MM-DD") and reporting periods, all on the UTC
// calendar (ADR 0031):
//   day "2026-11-25", ISO week "2026-W48", month "2026-11",
//   quarter "2026-Q4", year "2026".
// A period is the half-open day range [first, end).
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
absl::CivilDay DayOf(absl::Time t);
absl::Time StartOf(absl::CivilDay day);

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

  absl::Time start_time() const { return StartOf(first); }
  absl::Time end_time() const { return StartOf(end); }
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
