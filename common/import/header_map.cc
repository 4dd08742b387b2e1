#include "common/import/header_map.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/import/utf8.h"

namespace crm::importer {
namespace {

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' ||
         cp == '\f' || cp == 0x00A0 || cp == 0x3000 || cp == 0xFEFF ||
         cp == 0x200B;
}

std::string Quote(std::string_view s) {
  return absl::StrCat("\"", std::string(s), "\"");
}

}  // namespace

std::string NormalizeHeader(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    char32_t cp = DecodeUtf8(text.substr(i), &len);
    if (cp == 0xFFFD && len == 1 &&
        static_cast<unsigned char>(text[i]) >= 0x80) {
      out.push_back(text[i]);  // keep bytes of invalid UTF-8 as they are
      i += 1;
      continue;
    }
    i += len;
    if (IsSpace(cp)) continue;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    AppendUtf8(cp, &out);
  }
  const size_t first = out.find_first_not_of('*');
  if (first == std::string::npos) return "";
  const size_t last = out.find_last_not_of('*');
  return out.substr(first, last - first + 1);
}

std::string_view TrimCell(std::string_view text) {
  auto leading_space = [](std::string_view s) -> size_t {
    if (s.empty()) return 0;
    size_t len = 0;
    const char32_t cp = DecodeUtf8(s, &len);
    return IsSpace(cp) ? len : 0;
  };
  while (size_t n = leading_space(text)) text.remove_prefix(n);
  while (!text.empty()) {
    // Step back over one UTF-8 sequence.
    size_t start = text.size() - 1;
    while (start > 0 && text.size() - start < 4 &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    size_t len = 0;
    const char32_t cp = DecodeUtf8(text.substr(start), &len);
    if (start + len != text.size() || !IsSpace(cp)) break;
    text.remove_suffix(len);
  }
  return text;
}

absl::StatusOr<HeaderMap> HeaderMap::Create(const Row& header,
                                            std::vector<FieldSpec> fields) {
  HeaderMap map;
  map.header_line_ = header.line;
  // Normalized alias -> field index.
  std::map<std::string, size_t> by_alias;
  for (size_t f = 0; f < fields.size(); ++f) {
    const FieldSpec& spec = fields[f];
    if (spec.name.empty()) {
      return absl::InvalidArgumentError("fields: a field has no name");
    }
    for (size_t g = 0; g < f; ++g) {
      if (fields[g].name == spec.name) {
        return absl::InvalidArgumentError(
            absl::StrCat("fields: ", spec.name, " is listed twice"));
      }
    }
    std::vector<std::string> aliases = spec.aliases;
    aliases.push_back(spec.name);
    for (const std::string& alias : aliases) {
      const std::string key = NormalizeHeader(alias);
      if (key.empty()) continue;
      auto [it, inserted] = by_alias.emplace(key, f);
      if (!inserted && it->second != f) {
        return absl::InvalidArgumentError(
            absl::StrCat("fields: alias ", Quote(alias), " is given to both ",
                         fields[it->second].name, " and ", spec.name));
      }
    }
  }
  for (size_t col = 0; col < header.cells.size(); ++col) {
    const std::string& text = header.cells[col];
    const std::string key = NormalizeHeader(text);
    if (key.empty()) continue;  // an unnamed column (Excel's trailing ones)
    auto it = by_alias.find(key);
    if (it == by_alias.end()) {
      map.unknown_.push_back(UnknownColumn{col, text});
      continue;
    }
    const std::string& field = fields[it->second].name;
    auto [pos, inserted] = map.columns_.emplace(field, col);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header: columns ", pos->second + 1, " (",
          Quote(header.cells[pos->second]), ") and ", col + 1, " (",
          Quote(text), ") both mean ", field, "; keep one of them"));
    }
  }
  std::vector<std::string> missing;
  for (const FieldSpec& spec : fields) {
    if (!spec.required || map.columns_.count(spec.name) > 0) continue;
    std::vector<std::string> accepted;
    for (const std::string& alias : spec.aliases) accepted.push_back(alias);
    accepted.push_back(spec.name);
    missing.push_back(
        absl::StrCat(spec.name, " (", absl::StrJoin(accepted, "/"), ")"));
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header: missing required column", missing.size() > 1 ? "s " : " ",
        absl::StrJoin(missing, ", ")));
  }
  map.fields_ = std::move(fields);
  return map;
}

bool HeaderMap::Has(std::string_view field) const {
  return columns_.find(field) != columns_.end();
}

std::optional<size_t> HeaderMap::ColumnOf(std::string_view field) const {
  auto it = columns_.find(field);
  if (it == columns_.end()) return std::nullopt;
  return it->second;
}

MappedRow HeaderMap::Map(Row row) const {
  return MappedRow(this, std::move(row));
}

std::string_view MappedRow::Raw(std::string_view field) const {
  const std::optional<size_t> column = map_->ColumnOf(field);
  if (!column.has_value()) return {};
  return row_.cell(*column);
}

std::string_view MappedRow::Get(std::string_view field) const {
  return TrimCell(Raw(field));
}

}  // namespace crm::importer
