#include "common/import/open_table.h"

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/import/csv_reader.h"
#include "common/import/spool_file.h"
#include "common/import/xlsx_reader.h"

namespace crm::importer {
namespace {

std::string Extension(std::string_view file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(file_name.substr(dot + 1));
  absl::AsciiStrToLower(&ext);
  return ext;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kUnknown:
      return "unknown";
    case FileFormat::kCsv:
      return "CSV";
    case FileFormat::kXlsx:
      return "XLSX";
    case FileFormat::kXls:
      return "XLS";
  }
  return "?";
}

FileFormat DetectFormat(std::string_view file_name, std::string_view head) {
  if (StartsWith(head, std::string_view("PK\x03\x04", 4))) {
    return FileFormat::kXlsx;
  }
  if (StartsWith(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return FileFormat::kXls;
  }
  if (StartsWith(head, "%PDF")) return FileFormat::kUnknown;
  const std::string ext = Extension(file_name);
  if (ext == "xlsx" || ext == "xlsm") return FileFormat::kXlsx;
  if (ext == "xls") return FileFormat::kXls;
  if (ext.empty() || ext == "csv" || ext == "txt" || ext == "tsv") {
    return FileFormat::kCsv;
  }
  return FileFormat::kUnknown;
}

ChunkSource ChunksOf(std::string data, size_t chunk_size) {
  auto bytes = std::make_shared<std::string>(std::move(data));
  auto offset = std::make_shared<size_t>(0);
  if (chunk_size == 0) chunk_size = 1;
  return [bytes, offset,
          chunk_size]() -> absl::StatusOr<std::optional<std::string>> {
    if (*offset >= bytes->size()) return std::nullopt;
    std::string chunk = bytes->substr(*offset, chunk_size);
    *offset += chunk.size();
    return chunk;
  };
}

absl::StatusOr<std::unique_ptr<TableReader>> OpenTable(
    std::string_view file_name, ChunkSource source, ReadOptions options) {
  // The first non-empty chunk (or the end) shows the magic bytes. Tiny first
  // chunks are joined until there are 8 bytes to look at.
  std::string head;
  bool ended = false;
  while (head.size() < 8) {
    absl::StatusOr<std::optional<std::string>> chunk = source();
    if (!chunk.ok()) return chunk.status();
    if (!chunk->has_value()) {
      ended = true;
      break;
    }
    head += **chunk;
  }
  const FileFormat format = DetectFormat(file_name, head);
  switch (format) {
    case FileFormat::kCsv: {
      if (Extension(file_name) == "tsv" && options.delimiter == ',') {
        options.delimiter = '\t';
      }
      ChunkSource rest = std::move(source);
      if (ended)
        rest = []() -> absl::StatusOr<std::optional<std::string>> {
          return std::nullopt;
        };
      auto reader = std::make_unique<CsvReader>(std::move(rest), options);
      // An error here is sticky in the reader and comes out of Next().
      (void)reader->FeedFirst(head);
      return std::unique_ptr<TableReader>(std::move(reader));
    }
    case FileFormat::kXlsx: {
      absl::StatusOr<SpoolFile> spool = SpoolFile::Create(options.spool_dir);
      if (!spool.ok()) return spool.status();
      std::string chunk_data = std::move(head);
      while (true) {
        if (spool->size() + static_cast<int64_t>(chunk_data.size()) >
            options.max_file_bytes) {
          return absl::InvalidArgumentError(absl::StrCat(
              "file: larger than ", options.max_file_bytes, " bytes"));
        }
        if (absl::Status s = spool->Append(chunk_data); !s.ok()) return s;
        if (ended) break;
        absl::StatusOr<std::optional<std::string>> chunk = source();
        if (!chunk.ok()) return chunk.status();
        if (!chunk->has_value()) break;
        chunk_data = std::move(**chunk);
      }
      absl::StatusOr<std::unique_ptr<XlsxReader>> reader =
          XlsxReader::Open(std::move(*spool), std::move(options));
      if (!reader.ok()) return reader.status();
      return std::unique_ptr<TableReader>(std::move(*reader));
    }
    case FileFormat::kXls:
      return absl::InvalidArgumentError(
          "file: Excel 97-2003 (.xls) and password-protected workbooks are "
          "not supported; save it as .xlsx (without a password) or as CSV");
    case FileFormat::kUnknown:
      break;
  }
  const std::string ext = Extension(file_name);
  return absl::InvalidArgumentError(absl::StrCat(
      "file: unsupported file type",
      ext.empty() ? std::string() : absl::StrCat(" \".", ext, "\""),
      "; upload a .xlsx or .csv file"));
}

}  // namespace crm::importer
