// Picks the reader for an upload from its file name and first bytes.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/import/table_reader.h"

namespace crm::importer {

enum class FileFormat {
  kUnknown,  // something else (PDF, an image, .docx ...)
  kCsv,      // delimited text: .csv, .txt, .tsv, or no extension
  kXlsx,     // Office Open XML workbook (a zip)
  kXls,      // legacy Excel 97-2003 (OLE2), or an encrypted workbook
};
std::string_view FileFormatName(FileFormat format);

// Magic bytes win over the name: "PK\x03\x04" (a zip) => kXlsx, an OLE2
// header (D0 CF 11 E0 A1 B1 1A E1) => kXls, "%PDF" => kUnknown; so a
// workbook renamed to .csv is still read as a workbook. Otherwise the
// extension decides (case-insensitive): .xlsx/.xlsm => kXlsx, .xls => kXls,
// .csv/.txt/.tsv or none => kCsv, anything else => kUnknown. `head` is the
// first bytes of the file (8 are enough; fewer is fine).
FileFormat DetectFormat(std::string_view file_name, std::string_view head);

// Opens a reader for an upload arriving through `source`.
//  - CSV streams: chunks are parsed as they are pulled, nothing is spooled.
//  - .xlsx is spooled to an anonymous temp file (SpoolFile, in
//    options.spool_dir), at most options.max_file_bytes, and then read
//    with XlsxReader; the temp file is gone when the reader is destroyed.
//  - .xls and unknown formats are INVALID_ARGUMENT "file: ..." saying what
//    to upload instead.
// For a .tsv name the delimiter becomes '\t' unless options say otherwise.
absl::StatusOr<std::unique_ptr<TableReader>> OpenTable(
    std::string_view file_name, ChunkSource source, ReadOptions options = {});

}  // namespace crm::importer
