#include "common/import/csv_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/import/utf8.h"

namespace crm::importer {

CsvParser::CsvParser(ReadOptions options)
    : options_(std::move(options)),
      decoder_(options_.encoding, options_.detect_window_bytes) {}

absl::Status CsvParser::Fail(absl::Status status) {
  status_ = status;
  return status;
}

absl::Status CsvParser::LineError(int64_t line,
                                  std::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ": ", std::string(message)));
}

absl::Status CsvParser::Feed(std::string_view chunk) {
  if (!status_.ok()) return status_;
  if (finished_) {
    return absl::FailedPreconditionError("CsvParser::Feed after Finish");
  }
  if (options_.delimiter == '"' || options_.delimiter == '\n' ||
      options_.delimiter == '\r') {
    return Fail(absl::InvalidArgumentError(
        "delimiter: must not be a quote or a line break"));
  }
  raw_bytes_ += static_cast<int64_t>(chunk.size());
  if (raw_bytes_ > options_.max_file_bytes) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("file: larger than ", options_.max_file_bytes, " bytes")));
  }
  decoded_.clear();
  const absl::Status decoded = decoder_.Feed(chunk, &decoded_);
  if (absl::Status s = Parse(decoded_); !s.ok()) return Fail(s);
  if (!decoded.ok())
    return Fail(LineError(line_, std::string(decoded.message())));
  return absl::OkStatus();
}

absl::Status CsvParser::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return absl::OkStatus();
  finished_ = true;
  decoded_.clear();
  const absl::Status decoded = decoder_.Finish(&decoded_);
  if (absl::Status s = Parse(decoded_); !s.ok()) return Fail(s);
  if (!decoded.ok())
    return Fail(LineError(line_, std::string(decoded.message())));
  if (state_ == State::kQuoted) {
    return Fail(LineError(
        quote_line_, absl::StrCat("column ", fields_.size() + 1,
                                  ": quoted field is never closed (a \" is "
                                  "missing before the end of the file)")));
  }
  if (has_content_) {
    if (absl::Status s = EndRecord(); !s.ok()) return Fail(s);
  }
  decoded_.clear();
  decoded_.shrink_to_fit();
  return absl::OkStatus();
}

std::optional<Row> CsvParser::NextRow() {
  if (rows_.empty()) return std::nullopt;
  Row row = std::move(rows_.front());
  rows_.pop_front();
  return row;
}

void CsvParser::StartContent() {
  if (!has_content_) {
    has_content_ = true;
    record_line_ = line_;
  }
}

absl::Status CsvParser::Append(std::string_view text) {
  if (field_.size() + text.size() > options_.max_cell_bytes) {
    return LineError(
        record_line_,
        absl::StrCat("column ", fields_.size() + 1, ": cell is longer than ",
                     options_.max_cell_bytes, " bytes"));
  }
  field_.append(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status CsvParser::EndField() {
  if (fields_.size() >= options_.max_columns) {
    return LineError(
        record_line_,
        absl::StrCat("more than ", options_.max_columns, " columns"));
  }
  fields_.push_back(std::move(field_));
  field_.clear();
  return absl::OkStatus();
}

absl::Status CsvParser::EndRecord() {
  if (!has_content_) return absl::OkStatus();  // an empty line
  if (absl::Status s = EndField(); !s.ok()) return s;
  has_content_ = false;
  std::vector<std::string> cells = std::move(fields_);
  fields_.clear();
  bool blank = true;
  for (size_t i = 0; i < cells.size(); ++i) {
    const std::string& cell = cells[i];
    if (!cell.empty()) blank = false;
    if (cell.find('\0') != std::string::npos) {
      return LineError(record_line_,
                       absl::StrCat("column ", i + 1,
                                    ": contains a NUL byte (not a text "
                                    "file, or UTF-16 without a BOM?)"));
    }
    if (!IsValidUtf8(cell)) {
      return LineError(
          record_line_,
          absl::StrCat("column ", i + 1, ": not valid UTF-8 (the file was ",
                       decoder_.detected() ? "detected" : "declared",
                       " as UTF-8; if it is GB18030/GBK, give that encoding)"));
    }
  }
  if (blank && options_.skip_blank_rows) return absl::OkStatus();
  if (rows_produced_ >= options_.max_rows) {
    return LineError(record_line_, absl::StrCat("more than ", options_.max_rows,
                                                " rows in the file"));
  }
  ++rows_produced_;
  rows_.push_back(Row{std::move(cells), record_line_});
  return absl::OkStatus();
}

absl::Status CsvParser::Parse(std::string_view text) {
  const char delim = options_.delimiter;
  const char unquoted_stops[] = {delim, '\n', '\r', '\0'};
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    switch (state_) {
      case State::kAfterCr:  // a CR ended the last line; CRLF is one end
        ++line_;
        state_ = State::kFieldStart;
        if (c == '\n') ++i;
        break;
      case State::kFieldStart:
        if (c == '"') {
          StartContent();
          quote_line_ = line_;
          state_ = State::kQuoted;
          ++i;
        } else if (c == delim) {
          StartContent();
          if (absl::Status s = EndField(); !s.ok()) return s;
          ++i;
        } else if (c == '\n' || c == '\r') {
          if (absl::Status s = EndRecord(); !s.ok()) return s;
          if (c == '\n') {
            ++line_;
          } else {
            state_ = State::kAfterCr;
          }
          ++i;
        } else {
          StartContent();
          state_ = State::kUnquoted;  // this character is read there
        }
        break;
      case State::kUnquoted: {
        size_t j = text.find_first_of(std::string_view(unquoted_stops, 3), i);
        if (j == std::string_view::npos) j = n;
        if (absl::Status s = Append(text.substr(i, j - i)); !s.ok()) return s;
        i = j;
        if (i == n) break;
        const char stop = text[i++];
        if (stop == delim) {
          if (absl::Status s = EndField(); !s.ok()) return s;
          state_ = State::kFieldStart;
        } else {
          if (absl::Status s = EndRecord(); !s.ok()) return s;
          if (stop == '\n') {
            ++line_;
            state_ = State::kFieldStart;
          } else {
            state_ = State::kAfterCr;
          }
        }
        break;
      }
      case State::kQuoted: {
        size_t j = text.find_first_of(std::string_view("\"\n", 2), i);
        if (j == std::string_view::npos) j = n;
        if (absl::Status s = Append(text.substr(i, j - i)); !s.ok()) return s;
        i = j;
        if (i == n) break;
        if (text[i] == '\n') {
          if (absl::Status s = Append("\n"); !s.ok()) return s;
          ++line_;
        } else {
          state_ = State::kQuoteInQuoted;
        }
        ++i;
        break;
      }
      case State::kQuoteInQuoted:
        if (c == '"') {  // a doubled quote
          if (absl::Status s = Append("\""); !s.ok()) return s;
          state_ = State::kQuoted;
        } else if (c == delim) {
          if (absl::Status s = EndField(); !s.ok()) return s;
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          if (absl::Status s = EndRecord(); !s.ok()) return s;
          if (c == '\n') {
            ++line_;
            state_ = State::kFieldStart;
          } else {
            state_ = State::kAfterCr;
          }
        } else {
          return LineError(
              line_, absl::StrCat("column ", fields_.size() + 1,
                                  ": unexpected text after a closing quote "
                                  "(a \" inside a quoted field must be "
                                  "doubled as \"\")"));
        }
        ++i;
        break;
    }
  }
  return absl::OkStatus();
}

CsvReader::CsvReader(ChunkSource source, ReadOptions options)
    : source_(std::move(source)), parser_(std::move(options)) {}

absl::Status CsvReader::FeedFirst(std::string_view chunk) {
  status_ = parser_.Feed(chunk);
  return status_;
}

absl::StatusOr<std::optional<Row>> CsvReader::Next() {
  while (true) {
    if (std::optional<Row> row = parser_.NextRow()) return row;
    if (!status_.ok()) return status_;
    if (parser_.finished()) return std::nullopt;
    absl::StatusOr<std::optional<std::string>> chunk = source_();
    if (!chunk.ok()) {
      status_ = chunk.status();
    } else if (!chunk->has_value()) {
      status_ = parser_.Finish();
    } else {
      status_ = parser_.Feed(**chunk);
    }
  }
}

}  // namespace crm::importer
