#include "services/orders/domain/periods.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock/time_zone.h"
#include "common/status/status.h"

namespace crm::orders {
namespace {

bool Digits(std::string_view s, size_t n, int* out) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return absl::SimpleAtoi(absl::string_view(s.data(), s.size()), out);
}

// Monday of ISO week 1 of `year`.
absl::CivilDay IsoWeekOne(int year) {
  absl::CivilDay jan4(year, 1, 4);
  int wd = static_cast<int>(absl::GetWeekday(jan4));  // Monday = 0
  return jan4 - wd;
}

Period Make(PeriodKind kind, absl::CivilDay first) {
  Period p;
  p.kind = kind;
  p.first = first;
  switch (kind) {
    case PeriodKind::kDay:
      p.end = first + 1;
      p.key = FormatDate(first);
      break;
    case PeriodKind::kWeek: {
      p.end = first + 7;
      // The ISO year is the year of the week's Thursday.
      const absl::CivilDay thu = first + 3;
      const int64_t week =
          (first - IsoWeekOne(static_cast<int>(thu.year()))) / 7 + 1;
      p.key = absl::StrFormat("%04d-W%02d", thu.year(), week);
      break;
    }
    case PeriodKind::kMonth:
      p.end = absl::CivilDay(absl::CivilMonth(first) + 1);
      p.key = absl::StrFormat("%04d-%02d", first.year(), first.month());
      break;
    case PeriodKind::kQuarter:
      p.end = absl::CivilDay(absl::CivilMonth(first) + 3);
      p.key =
          absl::StrFormat("%04d-Q%d", first.year(), (first.month() + 2) / 3);
      break;
    case PeriodKind::kYear:
      p.end = absl::CivilDay(absl::CivilYear(first) + 1);
      p.key = absl::StrFormat("%04d", first.year());
      break;
  }
  return p;
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view field,
                                         std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !Digits(text.substr(0, 4), 4, &y) || !Digits(text.substr(5, 2), 2, &m) ||
      !Digits(text.substr(8, 2), 2, &d) || y < 1970 || m < 1 || m > 12 ||
      d < 1) {
    return InvalidField(field, "must be a date YYYY-MM-DD");
  }
  absl::CivilDay day(y, m, d);
  if (day.month() != m || day.day() != d)
    return InvalidField(field, "must be a date YYYY-MM-DD");
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

BusinessCalendar::BusinessCalendar() {
  absl::StatusOr<BusinessTimeZone> z =
      LoadBusinessTimeZone("business_time_zone", kDefaultBusinessTimeZone);
  zone_ = z.ok() ? z->zone : absl::FixedTimeZone(8 * 3600);
}

absl::Time BusinessCalendar::Start(const Period& p) const {
  return StartOf(p.first);
}

absl::Time BusinessCalendar::End(const Period& p) const {
  return StartOf(p.end);
}

absl::StatusOr<Period> ParsePeriod(std::string_view field,
                                   std::string_view text) {
  const absl::Status bad = InvalidField(
      field,
      "must be a period: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www or YYYY-MM-DD");
  int y = 0, n = 0;
  if (text.size() < 4 || !Digits(text.substr(0, 4), 4, &y) || y < 1970)
    return bad;
  if (text.size() == 4) return Make(PeriodKind::kYear, absl::CivilDay(y, 1, 1));
  if (text[4] != '-') return bad;
  std::string_view rest = text.substr(5);
  if (rest.size() == 2 && rest[0] == 'Q' && Digits(rest.substr(1), 1, &n) &&
      n >= 1 && n <= 4)
    return Make(PeriodKind::kQuarter, absl::CivilDay(y, 3 * (n - 1) + 1, 1));
  if (rest.size() == 3 && rest[0] == 'W' && Digits(rest.substr(1), 2, &n) &&
      n >= 1) {
    Period p = Make(PeriodKind::kWeek, IsoWeekOne(y) + 7 * (n - 1));
    if (p.key != text) return bad;  // week 53 of a 52-week year
    return p;
  }
  if (rest.size() == 2 && Digits(rest, 2, &n) && n >= 1 && n <= 12)
    return Make(PeriodKind::kMonth, absl::CivilDay(y, n, 1));
  if (rest.size() == 5) {
    absl::StatusOr<absl::CivilDay> d = ParseDate(field, text);
    if (!d.ok()) return bad;
    return Make(PeriodKind::kDay, *d);
  }
  return bad;
}

Period PeriodContaining(PeriodKind kind, absl::CivilDay day) {
  switch (kind) {
    case PeriodKind::kDay:
      return Make(kind, day);
    case PeriodKind::kWeek:
      return Make(kind, day - static_cast<int>(absl::GetWeekday(day)));
    case PeriodKind::kMonth:
      return Make(kind, absl::CivilDay(day.year(), day.month(), 1));
    case PeriodKind::kQuarter:
      return Make(kind,
                  absl::CivilDay(day.year(), (day.month() - 1) / 3 * 3 + 1, 1));
    case PeriodKind::kYear:
      return Make(kind, absl::CivilDay(day.year(), 1, 1));
  }
  return Make(kind, day);
}

Period PreviousPeriod(const Period& p) {
  return PeriodContaining(p.kind, p.first - 1);
}

std::string_view PeriodKindName(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return "day";
    case PeriodKind::kWeek:
      return "week";
    case PeriodKind::kMonth:
      return "month";
    case PeriodKind::kQuarter:
      return "quarter";
    case PeriodKind::kYear:
      return "year";
  }
  return "?";
}

}  // namespace crm::orders
