#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/import/open_table.h"

namespace crm::importer {
namespace {

using ::testing::HasSubstr;

TEST(ImportOpenTableTest, DetectFormat) {
  EXPECT_EQ(DetectFormat("客户.xlsx", "PK\x03\x04"), FileFormat::kXlsx);
  EXPECT_EQ(DetectFormat("客户.CSV", "PK\x03\x04"), FileFormat::kXlsx);
  EXPECT_EQ(DetectFormat("a.XLSX", ""), FileFormat::kXlsx);
  EXPECT_EQ(DetectFormat("a.xlsm", "x"), FileFormat::kXlsx);
  EXPECT_EQ(DetectFormat("a.csv", "name,phone"), FileFormat::kCsv);
  EXPECT_EQ(DetectFormat("dir.v2/a", "name"), FileFormat::kCsv);
  EXPECT_EQ(DetectFormat("", ""), FileFormat::kCsv);
  EXPECT_EQ(DetectFormat("a.tsv", "x"), FileFormat::kCsv);
  EXPECT_EQ(DetectFormat("a.txt", "x"), FileFormat::kCsv);
  EXPECT_EQ(DetectFormat("a.xls", "x"), FileFormat::kXls);
  EXPECT_EQ(DetectFormat("a.xlsx", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
            FileFormat::kXls);
  EXPECT_EQ(DetectFormat("a.csv", "%PDF-1.7"), FileFormat::kUnknown);
  EXPECT_EQ(DetectFormat("a.docx", "x"), FileFormat::kUnknown);
  EXPECT_EQ(FileFormatName(FileFormat::kXlsx), "XLSX");
}

std::vector<Row> ReadRows(TableReader& reader, absl::Status* status) {
  std::vector<Row> rows;
  while (true) {
    absl::StatusOr<std::optional<Row>> row = reader.Next();
    if (!row.ok()) {
      *status = row.status();
      return rows;
    }
    if (!row->has_value()) return rows;
    rows.push_back(std::move(**row));
  }
}

TEST(ImportOpenTableTest, CsvStreams) {
  absl::StatusOr<std::unique_ptr<TableReader>> reader =
      OpenTable("客户.csv", ChunksOf("名称,电话\n甲,1\n乙,2\n", 2));
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::Status status;
  std::vector<Row> rows = ReadRows(**reader, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].cells, (std::vector<std::string>{"乙", "2"}));

  // .tsv switches the delimiter; a whole tiny file in the first chunk.
  reader = OpenTable("a.tsv", ChunksOf("a\tb", 100));
  ASSERT_TRUE(reader.ok());
  rows = ReadRows(**reader, &status);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells.size(), 2u);

  // An empty upload is an empty table.
  reader = OpenTable("empty.csv", ChunksOf(""));
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(ReadRows(**reader, &status).empty());
  EXPECT_TRUE(status.ok());

  // A bad first chunk comes out of Next().
  reader = OpenTable("bad.csv", ChunksOf("\"a\"b\n"));
  ASSERT_TRUE(reader.ok());
  ReadRows(**reader, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ImportOpenTableTest, UnsupportedFormats) {
  absl::StatusOr<std::unique_ptr<TableReader>> reader =
      OpenTable("old.xls", ChunksOf("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 ole"));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reader.status().message()),
              HasSubstr("file: Excel 97-2003 (.xls)"));
  reader = OpenTable("scan.PDF", ChunksOf("%PDF-1.4 ..."));
  EXPECT_EQ(
      reader.status().message(),
      "file: unsupported file type \".pdf\"; upload a .xlsx or .csv file");
}

TEST(ImportOpenTableTest, SourceErrorsPassThrough) {
  absl::StatusOr<std::unique_ptr<TableReader>> reader =
      OpenTable("a.csv", []() -> absl::StatusOr<std::optional<std::string>> {
        return absl::DeadlineExceededError("upload stalled");
      });
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kDeadlineExceeded);
}

// Random bytes under random names and chunkings: rows or INVALID_ARGUMENT,
// never a crash.
TEST(ImportOpenTableTest, RandomUploadsNeverCrash) {
  std::mt19937 rng(7);
  const char* names[] = {"a.csv", "a.xlsx", "a", "a.tsv"};
  for (int iter = 0; iter < 1000; ++iter) {
    std::string bytes;
    if (rng() % 3 == 0) bytes = std::string("PK\x03\x04", 4);
    const size_t len = rng() % 300;
    for (size_t i = 0; i < len; ++i) bytes.push_back(static_cast<char>(rng()));
    absl::StatusOr<std::unique_ptr<TableReader>> reader =
        OpenTable(names[rng() % 4], ChunksOf(bytes, 1 + rng() % 50));
    absl::Status status = reader.status();
    if (reader.ok()) ReadRows(**reader, &status);
    if (!status.ok()) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    }
  }
}

}  // namespace
}  // namespace crm::importer
