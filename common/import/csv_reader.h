// RFC 4180 CSV, fed incrementally.
//
// Accepted: quoted fields with doubled quotes ("a ""b"""), delimiters and
// line breaks inside quotes, CRLF, LF and bare-CR line ends, a last record
// without a line end. Lines with no characters are skipped anywhere in the
// file (their numbers still count); rows of empty cells are skipped when
// ReadOptions::skip_blank_rows. Rows may have different numbers of cells.
//
// Leniency, as Excel and LibreOffice: a quote inside an unquoted field
// (5" screen) is kept literally, and so is space before an opening quote.
// Errors (INVALID_ARGUMENT "line N: ..."): text after a closing quote other
// than a delimiter or line end; a quoted field still open at the end of the
// file (naming the line it opened on); a cell, column count, row count or
// file size over the ReadOptions limits; a cell that is not valid UTF-8 or
// holds a NUL byte; bytes that are not valid in the (detected) encoding.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/import/table_reader.h"
#include "common/import/text_decoder.h"

namespace crm::importer {

// Push parser: Feed() bytes as they arrive, take complete rows with
// NextRow(). Memory is bounded by one chunk's rows plus the record being
// parsed (itself bounded by max_columns * max_cell_bytes).
class CsvParser {
 public:
  explicit CsvParser(ReadOptions options = {});

  // Parses the next bytes of the file. After an error the parser is failed:
  // every later call returns the same error. Rows completed before the bad
  // input stay available from NextRow().
  absl::Status Feed(std::string_view chunk);
  // End of the file: completes a last record that has no line end.
  absl::Status Finish();

  // The next complete row, or nullopt when none is ready (feed more, or,
  // after Finish(), the end of the file).
  std::optional<Row> NextRow();

  bool finished() const { return finished_; }
  const absl::Status& status() const { return status_; }
  // Encoding in use (kAuto while undecided) and whether it was detected.
  Encoding encoding() const { return decoder_.encoding(); }
  bool encoding_detected() const { return decoder_.detected(); }
  // Rows produced so far (queued or taken), and rows queued now.
  int64_t rows_produced() const { return rows_produced_; }
  size_t rows_queued() const { return rows_.size(); }

 private:
  enum class State {
    kFieldStart,
    kUnquoted,
    kQuoted,
    kQuoteInQuoted,
    kAfterCr
  };

  absl::Status Parse(std::string_view text);
  void StartContent();
  absl::Status Append(std::string_view text);
  absl::Status EndField();
  absl::Status EndRecord();
  absl::Status Fail(absl::Status status);
  absl::Status LineError(int64_t line, std::string_view message) const;

  ReadOptions options_;
  TextDecoder decoder_;
  std::string decoded_;  // scratch: the UTF-8 of the current chunk
  State state_ = State::kFieldStart;
  int64_t line_ = 1;          // current physical line
  int64_t record_line_ = 1;   // line the current record started on
  int64_t quote_line_ = 1;    // line the open quoted field started on
  bool has_content_ = false;  // the current record has any character
  std::string field_;
  std::vector<std::string> fields_;
  std::deque<Row> rows_;
  int64_t rows_produced_ = 0;
  int64_t raw_bytes_ = 0;
  bool finished_ = false;
  absl::Status status_;
};

// TableReader over a ChunkSource: pulls chunks into a CsvParser as rows are
// asked for.
class CsvReader : public TableReader {
 public:
  CsvReader(ChunkSource source, ReadOptions options = {});
  absl::StatusOr<std::optional<Row>> Next() override;
  const CsvParser& parser() const { return parser_; }

  // OpenTable() has already pulled the first chunk to detect the format.
  absl::Status FeedFirst(std::string_view chunk);

 private:
  ChunkSource source_;
  CsvParser parser_;
  absl::Status status_;
};

}  // namespace crm::importer
