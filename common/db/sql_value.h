// Values that go into prepared statements (Param) and come out of queries
// (Row). Rows are materialized: a query's result is read fully and the
// driver's result set is released before the caller sees it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace crm::db {

// One bound parameter. Only prepared statements take user input; SQL text is
// always a constant.
class Param {
 public:
  using Value =
      std::variant<std::monostate, int64_t, double, std::string, absl::Time>;

  Param(std::nullptr_t) {}
  Param(int v) : value_(static_cast<int64_t>(v)) {}
  Param(int64_t v) : value_(v) {}
  Param(uint32_t v) : value_(static_cast<int64_t>(v)) {}
  Param(bool v) : value_(static_cast<int64_t>(v ? 1 : 0)) {}
  Param(double v) : value_(v) {}
  Param(std::string v) : value_(std::move(v)) {}
  Param(std::string_view v) : value_(std::string(v)) {}
  Param(const char* v) : value_(std::string(v)) {}
  Param(absl::Time v) : value_(v) {}
  template <typename T>
  Param(const std::optional<T>& v) {
    if (v.has_value()) *this = Param(*v);
  }

  const Value& value() const { return value_; }

 private:
  Value value_;
};

// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, the DATETIME(6) text form.
std::string FormatDateTime(absl::Time t);
// Parses DATETIME / DATETIME(6) text (UTC). Returns false on bad input.
bool ParseDateTime(std::string_view text, absl::Time* out);

class Row {
 public:
  Row(std::shared_ptr<const std::map<std::string, int>> columns,
      std::vector<std::optional<std::string>> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}

  bool IsNull(std::string_view column) const;
  // Typed getters; NULL reads as the empty/zero value. Unknown column names
  // are programming errors and abort in debug builds.
  std::string String(std::string_view column) const;
  int64_t Int(std::string_view column) const;
  double Double(std::string_view column) const;
  bool Bool(std::string_view column) const { return Int(column) != 0; }
  absl::Time Time(std::string_view column) const;
  std::optional<std::string> OptString(std::string_view column) const;
  std::optional<int64_t> OptInt(std::string_view column) const;
  std::optional<absl::Time> OptTime(std::string_view column) const;

 private:
  const std::optional<std::string>& At(std::string_view column) const;

  std::shared_ptr<const std::map<std::string, int>> columns_;
  std::vector<std::optional<std::string>> values_;
};

using Rows = std::vector<Row>;

}  // namespace crm::db
