#include "services/opportunities/opportunities_util.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::opportunities {

bool IsManager(const auth::Principal& p) {
  return p.scope != auth::DataScope::kSelf;
}

absl::Status ValidDate(const std::string& field, const std::string& date,
                       bool required) {
  if (date.empty()) {
    return required ? InvalidField(field, "required (YYYY-MM-DD)")
                    : absl::OkStatus();
  }
  absl::CivilDay day;
  if (date.size() != 10 || !absl::ParseCivilTime(date, &day) ||
      absl::FormatCivilTime(day) != date || day.year() < 1970 ||
      day.year() > 9999) {
    return InvalidField(field, "must be a date YYYY-MM-DD");
  }
  return absl::OkStatus();
}

absl::Status ValidMoney(const std::string& field,
                        const crm::common::v1::Money& m) {
  const std::string& c = m.currency_code();
  if (c.size() != 3 || !std::all_of(c.begin(), c.end(), [](char ch) {
        return ch >= 'A' && ch <= 'Z';
      })) {
    return InvalidField(absl::StrCat(field, ".currency_code"),
                        "must be an ISO 4217 code such as CNY");
  }
  if (m.amount_minor() < 0)
    return InvalidField(absl::StrCat(field, ".amount_minor"),
                        "must not be negative");
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t) {
  if (t.seconds() <= 0 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidField(field, "must be a valid time after 1970");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

PresentFields PresentOf(const OpportunityRecord& o) {
  PresentFields f;
  if (!o.currency.empty() && o.amount_minor > 0) f.insert("amount");
  if (!o.expected_close_date.empty()) f.insert("expected_close_date");
  if (o.budget_minor.has_value()) f.insert("budget");
  if (!o.decision_maker.empty()) f.insert("decision_maker");
  if (!o.products.empty()) f.insert("products");
  if (!o.description.empty()) f.insert("description");
  return f;
}

StagePosition PositionOf(const OpportunityRecord& o) {
  StagePosition at;
  at.stage = o.stage_pos;
  at.sub_stage = o.sub_stage;
  at.status = o.status;
  at.max_open_stage = o.max_open_pos;
  at.closed_from_stage = o.closed_from_pos;
  return at;
}

absl::Status NotFoundOpportunity(int64_t id) {
  return absl::NotFoundError(absl::StrCat("opportunity ", id, " not found"));
}

}  // namespace crm::opportunities
