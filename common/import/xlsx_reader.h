// Rows of the first worksheet of an .xlsx (Office Open XML) workbook.
//
// An .xlsx is a zip whose directory is at its end, so it is read from a file
// (an upload is spooled to an anonymous SpoolFile first; see OpenTable). The
// worksheet XML is then decompressed and parsed as a stream (expat SAX): rows
// come out as they are parsed, only the shared-string table is held whole.
//
// What a cell reads as:
//  - shared strings (t="s") and inline strings (t="inlineStr"): the text,
//    rich-text runs joined, phonetic runs (<rPh>) dropped, _xHHHH_ escapes
//    decoded;
//  - numbers: the text stored in the file ("13800138000", "1.5", "1E-3");
//  - booleans: "TRUE" / "FALSE"; errors: their text ("#N/A");
//  - formulas: their cached value (what Excel showed when it saved);
//  - dates: Excel stores them as numbers, so they read as the raw serial
//    ("45292" is 2024-01-01; "45292.5" is noon). Telling a date from a number
//    needs the cell style; the caller converts where a column is a date.
// Sparse rows: a missing cell before a present one reads as "", and trailing
// empty cells are dropped. Missing rows are not filled in: Row::line is the
// sheet's row number. The worksheet is the first visible one in workbook
// order (a chartsheet or hidden sheet is skipped).
//
// Errors: a file that is not a readable .xlsx is INVALID_ARGUMENT
// "file: not a valid .xlsx (<why>)"; limits (ReadOptions) name "row N".
// A DOCTYPE in any part is rejected (no entity expansion at all).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/import/spool_file.h"
#include "common/import/table_reader.h"

namespace crm::importer {

class XlsxReader : public TableReader {
 public:
  // Opens the workbook at `path`.
  static absl::StatusOr<std::unique_ptr<XlsxReader>> Open(
      const std::string& path, ReadOptions options = {});
  // Opens a spooled upload; the reader owns (and finally closes) the file.
  static absl::StatusOr<std::unique_ptr<XlsxReader>> Open(
      SpoolFile file, ReadOptions options = {});

  ~XlsxReader() override;
  absl::StatusOr<std::optional<Row>> Next() override;

  // The worksheet being read: its name in the workbook and its zip entry.
  const std::string& sheet_name() const;
  const std::string& sheet_part() const;

 private:
  struct Impl;
  explicit XlsxReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The 0-based column of a cell reference ("A1" -> 0, "AB7" -> 27), or -1 if
// it is not one (Excel's columns end at XFD, 16383).
int ColumnOfCellRef(std::string_view ref);
// "A" for 0, "AB" for 27.
std::string ColumnLetters(int column);
// Decodes OOXML's _xHHHH_ escapes (e.g. _x000D_ for CR, _x005F_ for '_').
std::string DecodeXmlEscapes(std::string_view text);

}  // namespace crm::importer
