// Maps a table's header row to canonical field names, so sales ops can
// upload their own spreadsheets ("客户名称", "公司名称" or "Name" all mean
// the field "name").
//
//   ASSIGN_OR_RETURN(std::optional<Row> header, reader->Next());
//   ASSIGN_OR_RETURN(HeaderMap map, HeaderMap::Create(*header, {
//       {"name", {"客户名称", "公司名称"}, /*required=*/true},
//       {"phone", {"电话", "手机", "手机号"}}}));
//   while (...) { MappedRow row = map.Map(std::move(*next));
//                 row.Get("phone"); row.line(); }
//
// Header texts are compared after NormalizeHeader(): full-width ASCII folded
// to half-width (ＰＨＯＮＥ => phone), ASCII case folded, every kind of space
// removed ("客户 名称" == "客户名称"), and "*" required-markers at either end
// dropped ("*客户名称"). A field's own name is one of its aliases.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/import/table_reader.h"

namespace crm::importer {

struct FieldSpec {
  std::string name;                  // canonical field name
  std::vector<std::string> aliases;  // header texts that mean this field
  bool required = false;
};

struct UnknownColumn {
  size_t column = 0;   // 0-based
  std::string header;  // as written in the file
};

class MappedRow;

class HeaderMap {
 public:
  // INVALID_ARGUMENT "header: ..." when a required field has no column
  // (naming each missing field and the headers it accepts), or when two
  // columns map to the same field. INVALID_ARGUMENT "fields: ..." when the
  // specs themselves are wrong (a duplicate name or an alias given to two
  // fields). Columns matching no field are not an error: unknown_columns().
  static absl::StatusOr<HeaderMap> Create(const Row& header,
                                          std::vector<FieldSpec> fields);

  // Whether the file has a column for `field`, and which (0-based).
  bool Has(std::string_view field) const;
  std::optional<size_t> ColumnOf(std::string_view field) const;
  // Non-empty header cells that match no field, in column order.
  const std::vector<UnknownColumn>& unknown_columns() const { return unknown_; }
  const std::vector<FieldSpec>& fields() const { return fields_; }
  int64_t header_line() const { return header_line_; }

  MappedRow Map(Row row) const;

 private:
  HeaderMap() = default;
  std::vector<FieldSpec> fields_;
  std::map<std::string, size_t, std::less<>> columns_;  // field -> column
  std::vector<UnknownColumn> unknown_;
  int64_t header_line_ = 0;
};

// One data row seen through a HeaderMap. It holds a pointer to the map,
// which must outlive it.
class MappedRow {
 public:
  // The cell of `field`, with leading/trailing spaces (ASCII, full-width,
  // no-break) trimmed; "" when the file has no such column or the row is
  // short.
  std::string_view Get(std::string_view field) const;
  // Untrimmed.
  std::string_view Raw(std::string_view field) const;
  int64_t line() const { return row_.line; }
  const Row& row() const { return row_; }

 private:
  friend class HeaderMap;
  MappedRow(const HeaderMap* map, Row row) : map_(map), row_(std::move(row)) {}
  const HeaderMap* map_;
  Row row_;
};

// The comparison key of a header text (see the top of this file).
std::string NormalizeHeader(std::string_view text);
// `text` without leading/trailing ASCII whitespace, U+3000, U+00A0, U+FEFF.
std::string_view TrimCell(std::string_view text);

}  // namespace crm::importer
