// Shared checks of the fuzz targets in tests/fuzz: what every row an import
// reader returns must satisfy, whatever bytes came in.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/import/header_map.h"
#include "common/import/open_table.h"
#include "common/validate/utf8.h"
#include "services/leads/domain/import_rows.h"

namespace crm::fuzz {

// Aborts (libFuzzer reports a crash with the input) when `ok` is false.
inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

inline bool ValidUtf8(std::string_view s) {
  return validate::DecodeUtf8(s).has_value();
}

// Small limits so one input stays cheap; the readers must honour them.
inline importer::ReadOptions FuzzOptions() {
  importer::ReadOptions o;
  o.max_cell_bytes = 2048;
  o.max_columns = 64;
  o.max_rows = 500;
  o.max_file_bytes = 1 << 20;
  o.max_xml_bytes = 4 << 20;
  o.max_shared_strings_bytes = 1 << 20;
  return o;
}

// Reads every row of `file` (an upload named `name`) as ImportLeads does:
// header row -> HeaderMap -> ParseLeadRow. Errors are fine (hostile input);
// crashes, hangs, invalid UTF-8 out and broken limits are not.
inline void ReadAsLeadImport(std::string_view name, std::string file,
                             size_t chunk_size, importer::ReadOptions o) {
  const size_t max_cell = o.max_cell_bytes;
  const size_t max_columns = o.max_columns;
  const int64_t max_rows = o.max_rows;
  auto reader = importer::OpenTable(
      name, importer::ChunksOf(std::move(file), chunk_size), std::move(o));
  if (!reader.ok()) {
    Check(reader.status().code() == absl::StatusCode::kInvalidArgument,
          "OpenTable fails only with INVALID_ARGUMENT");
    return;
  }
  std::optional<importer::HeaderMap> map;
  int64_t rows = 0;
  int64_t last_line = 0;
  while (true) {
    auto next = (*reader)->Next();
    if (!next.ok()) {
      Check(next.status().code() == absl::StatusCode::kInvalidArgument,
            "readers fail only with INVALID_ARGUMENT");
      // Sticky: the next call returns the same error.
      auto again = (*reader)->Next();
      Check(!again.ok() && again.status() == next.status(),
            "reader errors are sticky");
      return;
    }
    if (!next->has_value()) return;
    importer::Row& row = **next;
    ++rows;
    Check(rows <= max_rows, "max_rows honoured");
    Check(row.cells.size() <= max_columns, "max_columns honoured");
    // CSV lines are counted by the reader; .xlsx row numbers are the
    // sheet's own r="" attributes, which a hostile file may repeat or
    // reorder (Excel would refuse such a file; the reader passes them on).
    if (name.find(".xlsx") == std::string_view::npos) {
      Check(row.line > last_line, "CSV row lines increase");
    } else {
      Check(row.line >= 1, ".xlsx row numbers are positive");
    }
    last_line = row.line;
    for (const std::string& cell : row.cells) {
      Check(cell.size() <= max_cell, "max_cell_bytes honoured");
      Check(ValidUtf8(cell), "cells are valid UTF-8");
    }
    if (!map.has_value()) {
      auto created =
          importer::HeaderMap::Create(row, leads::LeadImportFieldSpecs());
      if (!created.ok()) return;  // no usable header: ImportLeads rejects it
      map.emplace(std::move(*created));
      continue;
    }
    leads::LeadImportRow parsed = leads::ParseLeadRow(map->Map(row), "east");
    if (parsed.error.empty()) {
      const leads::LeadDraft& d = parsed.draft;
      Check(ValidUtf8(d.company_name) && ValidUtf8(d.contact_name) &&
                ValidUtf8(d.notes) && ValidUtf8(d.city) &&
                ValidUtf8(d.company_norm),
            "accepted lead rows are valid UTF-8");
      Check(!d.phone.empty() || !d.email.empty(),
            "accepted lead rows have a phone or an email");
    } else {
      Check(ValidUtf8(parsed.error), "row errors are valid UTF-8");
    }
  }
}

}  // namespace crm::fuzz
