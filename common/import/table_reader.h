// Streaming readers for spreadsheet imports (accounts, leads): a file arrives
// in chunks (a client-streaming gRPC upload) and comes out as rows of UTF-8
// cells, one at a time, so a 100k-row file is never held whole in memory.
//
//   TableReader          the row interface every format implements
//   CsvParser/CsvReader  RFC 4180 CSV in UTF-8 / GB18030 / UTF-16
//   (csv_reader.h) XlsxReader           first worksheet of an .xlsx
//   (xlsx_reader.h) OpenTable            format detection + the right reader
//   (open_table.h) HeaderMap            header row -> canonical field names
//   (header_map.h)
//
// Errors are INVALID_ARGUMENT with the place in the file: "line 12: ..." for
// CSV (physical line in the file), "row 12: ..." for .xlsx (the sheet's row
// number), "file: ..." for problems with the file as a whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::importer {

// One row of a table: its cells as UTF-8 text, and where it came from.
struct Row {
  std::vector<std::string> cells;
  // 1-based: for CSV the line of the file the record starts on (a quoted
  // cell may span lines); for .xlsx the row number Excel shows.
  int64_t line = 0;

  // The cell at 0-based `column`, or "" past the end of a short row.
  std::string_view cell(size_t column) const {
    return column < cells.size() ? std::string_view(cells[column])
                                 : std::string_view();
  }
};

// Pulls rows one at a time.
class TableReader {
 public:
  virtual ~TableReader() = default;
  // The next row; std::nullopt at the end of the table; an error (sticky:
  // every later call returns it too) for bad input. Rows that precede the
  // error in the file are returned before it.
  virtual absl::StatusOr<std::optional<Row>> Next() = 0;
};

// Supplies the bytes of an upload in order: the next chunk, std::nullopt at
// the end, or an error (returned by the reader as is). Empty chunks are fine.
// A gRPC handler wraps its ServerReader: read a message, return its bytes.
using ChunkSource = std::function<absl::StatusOr<std::optional<std::string>>()>;

// A ChunkSource over bytes already in memory, in pieces of `chunk_size`
// (tests, tools, small uploads).
ChunkSource ChunksOf(std::string data, size_t chunk_size = 64 * 1024);

// Text encodings of CSV files.
enum class Encoding {
  kAuto,     // detect; see TextDecoder in text_decoder.h
  kUtf8,     // with or without BOM
  kGb18030,  // also reads GBK/GB2312 (subsets): Chinese Excel's "CSV"
  kUtf16Le,  // Excel's "Unicode Text" (only detected with a BOM)
  kUtf16Be,
};
std::string_view EncodingName(Encoding encoding);

struct ReadOptions {
  // --- CSV only.
  Encoding encoding = Encoding::kAuto;
  char delimiter = ',';  // '\t' for tab-separated text
  // How many bytes from the first non-ASCII byte auto-detection looks at.
  size_t detect_window_bytes = 64 * 1024;

  // --- All formats.
  // Skip rows whose cells are all empty (",,," in CSV, a formatted but empty
  // row in .xlsx). Lines with no characters at all are always skipped.
  bool skip_blank_rows = true;
  // Limits; going over one is INVALID_ARGUMENT naming the line/row.
  size_t max_cell_bytes = 32 * 1024;   // UTF-8 bytes of one cell
  size_t max_columns = 512;            // cells in one row
  int64_t max_rows = 200'000;          // rows returned, header included
  int64_t max_file_bytes = 128 << 20;  // bytes uploaded (CSV and .xlsx)

  // --- .xlsx only.
  // Decompressed bytes read from any one part (sheet, shared strings): a
  // guard against zip bombs.
  int64_t max_xml_bytes = int64_t{1} << 30;
  // Memory for the shared-string table (each string counts its size + 32).
  int64_t max_shared_strings_bytes = 256 << 20;
  // Where OpenTable spools an uploaded .xlsx ("" = $TMPDIR or /tmp).
  std::string spool_dir;
};

}  // namespace crm::importer
