#include "common/db/sql_value.h"

#include <cassert>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace crm::db {

std::string FormatDateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

bool ParseDateTime(std::string_view text, absl::Time* out) {
  std::string err;
  const std::string text_copy(text);
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text_copy, absl::UTCTimeZone(),
                      out, &err))
    return true;
  return absl::ParseTime("%Y-%m-%d", text_copy, absl::UTCTimeZone(), out, &err);
}

const std::optional<std::string>& Row::At(std::string_view column) const {
  static const std::optional<std::string> kMissing;
  auto it = columns_->find(std::string(column));
  if (it == columns_->end()) {
    assert(false && "unknown column");
    return kMissing;
  }
  return values_[it->second];
}

bool Row::IsNull(std::string_view column) const {
  return !At(column).has_value();
}

std::string Row::String(std::string_view column) const {
  return At(column).value_or("");
}

int64_t Row::Int(std::string_view column) const {
  const auto& v = At(column);
  int64_t out = 0;
  if (v.has_value() && !absl::SimpleAtoi(*v, &out)) {
    // DECIMAL or DOUBLE text: truncate like a C cast would.
    double d = 0;
    if (absl::SimpleAtod(*v, &d)) out = static_cast<int64_t>(d);
  }
  return out;
}

double Row::Double(std::string_view column) const {
  const auto& v = At(column);
  double out = 0;
  if (v.has_value()) (void)absl::SimpleAtod(*v, &out);
  return out;
}

absl::Time Row::Time(std::string_view column) const {
  return OptTime(column).value_or(absl::UnixEpoch());
}

std::optional<std::string> Row::OptString(std::string_view column) const {
  return At(column);
}

std::optional<int64_t> Row::OptInt(std::string_view column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<absl::Time> Row::OptTime(std::string_view column) const {
  const auto& v = At(column);
  if (!v.has_value()) return std::nullopt;
  absl::Time t;
  if (!ParseDateTime(*v, &t)) return std::nullopt;
  return t;
}

}  // namespace crm::db
