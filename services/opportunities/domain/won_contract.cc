#include "services/opportunities/domain/won_contract.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::opportunities {
namespace {

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& field,
                                        const std::string& text) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::FormatCivilTime(day) != text || day.year() < 1970 ||
      day.year() > 9998) {
    return InvalidField(field, "must be a date YYYY-MM-DD");
  }
  return day;
}

}  // namespace

absl::StatusOr<WonContractDates> PlanContractDates(const std::string& start,
                                                   const std::string& end,
                                                   absl::Time now) {
  WonContractDates d;
  if (start.empty()) {
    d.start = absl::ToCivilDay(now, absl::FixedTimeZone(8 * 3600));
  } else {
    ASSIGN_OR_RETURN(d.start, ParseDay("contract_start_date", start));
  }
  if (end.empty()) {
    // CivilDay normalizes Feb 29 of a non-leap year to Mar 1.
    d.end =
        absl::CivilDay(d.start.year() + 1, d.start.month(), d.start.day()) - 1;
  } else {
    ASSIGN_OR_RETURN(d.end, ParseDay("contract_end_date", end));
    if (d.end < d.start) {
      return InvalidField("contract_end_date",
                          "must not be before contract_start_date");
    }
  }
  d.due = d.start + kContractDueDays;
  return d;
}

std::string ContractRequestId(int64_t opportunity_id) {
  return absl::StrCat("opp-", opportunity_id, "-contract");
}

}  // namespace crm::opportunities
