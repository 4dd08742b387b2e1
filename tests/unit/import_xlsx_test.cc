#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/import/open_table.h"
#include "common/import/spool_file.h"
#include "common/import/xlsx_reader.h"

namespace crm::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Cells = std::vector<std::string>;
using Parts = std::vector<std::pair<std::string, std::string>>;

constexpr char kMainNs[] =
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr char kRelNs[] =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/import_xlsx_test_" + name;
}

// Writes a zip with libzip, deflated unless `store`.
void WriteZip(const std::string& path, const Parts& parts, bool store = false) {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(za, nullptr) << error;
  for (const auto& [name, data] : parts) {
    zip_source_t* src = zip_source_buffer(za, data.data(), data.size(), 0);
    ASSERT_NE(src, nullptr);
    const zip_int64_t index = zip_file_add(za, name.c_str(), src,
                                           ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0) << zip_strerror(za);
    zip_set_file_compression(za, static_cast<zip_uint64_t>(index),
                             store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
  }
  ASSERT_EQ(zip_close(za), 0) << zip_strerror(za);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// The parts of a minimal workbook with one sheet (+ shared strings if any).
Parts Workbook(const std::string& sheet_data, const std::string& shared = "",
               const std::string& workbook_sheets =
                   "<sheet name=\"客户\" sheetId=\"1\" r:id=\"rId1\"/>",
               const std::string& extra_rels = "") {
  Parts parts = {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
       "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "content-types\">"
       "<Default Extension=\"rels\" ContentType=\"application/"
       "vnd.openxmlformats-package.relationships+xml\"/>"
       "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
       "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
       "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
       "ContentType=\"application/"
       "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
       "</Types>"},
      {"_rels/.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "relationships\"><Relationship Id=\"rId1\" "
       "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
       "</Relationships>"},
      {"xl/workbook.xml",
       std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
                   "xmlns=\"") +
           kMainNs + "\" xmlns:r=\"" + kRelNs + "\"><sheets>" +
           workbook_sheets + "</sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "relationships\">"
       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
       "officeDocument/2006/relationships/worksheet\" "
       "Target=\"worksheets/sheet1.xml\"/>"
       "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/"
       "officeDocument/2006/relationships/sharedStrings\" "
       "Target=\"/xl/sharedStrings.xml\"/>" +
           extra_rels + "</Relationships>"},
      {"xl/worksheets/sheet1.xml",
       std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet "
                   "xmlns=\"") +
           kMainNs + "\"><dimension ref=\"A1:E6\"/><sheetData>" + sheet_data +
           "</sheetData><mergeCells count=\"0\"/></worksheet>"},
  };
  if (!shared.empty()) {
    parts.push_back({"xl/sharedStrings.xml",
                     std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                 "<sst xmlns=\"") +
                         kMainNs + "\">" + shared + "</sst>"});
  }
  return parts;
}

const char kShared[] =
    "<si><t>客户名称</t></si>"
    "<si><t xml:space=\"preserve\">电话 </t></si>"
    "<si><r><t>北京</t></r><r><rPr><b/></rPr><t>星辰科技</t></r>"
    "<rPh sb=\"0\" eb=\"2\"><t>ペキン</t></rPh></si>"
    "<si><t>a_x000D_b &amp; _x005F_x000D_</t></si>";

const char kSheet[] =
    // Header: shared, shared, inline.
    "<row r=\"1\" spans=\"1:3\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
    "<c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>备注</t></is></c></row>"
    // Sparse: C2 missing; a number, a boolean.
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c "
    "r=\"B2\"><v>13800138000</v>"
    "</c><c r=\"D2\" t=\"b\"><v>1</v></c></row>"
    // Formatted but empty: skipped.
    "<row r=\"3\" ht=\"20\" customHeight=\"1\"><c r=\"A3\" s=\"2\"/></row>"
    // Row 4 missing entirely. Rich inline text, trailing styled empty cell.
    "<row r=\"5\"><c r=\"B5\" t=\"inlineStr\"><is><r><t>富</t></r><r><t>文本"
    "</t></r><rPh><t>ふ</t></rPh></is></c><c r=\"E5\" s=\"1\"/></row>"
    // Date serial, formula string, error, decimal, false, escapes.
    "<row r=\"6\"><c r=\"A6\" s=\"3\"><v>45292</v></c>"
    "<c r=\"B6\" t=\"str\"><f>CONCAT(\"x\",\"y\")</f><v>xy</v></c>"
    "<c r=\"C6\" t=\"e\"><v>#N/A</v></c><c r=\"D6\"><v>1.5</v></c>"
    "<c r=\"E6\" t=\"b\"><v>0</v></c><c r=\"F6\" t=\"s\"><v>3</v></c></row>";

struct Result {
  std::vector<Row> rows;
  absl::Status status;
  std::vector<Cells> cells() const {
    std::vector<Cells> out;
    for (const Row& r : rows) out.push_back(r.cells);
    return out;
  }
  std::vector<int64_t> lines() const {
    std::vector<int64_t> out;
    for (const Row& r : rows) out.push_back(r.line);
    return out;
  }
};

Result ReadAll(TableReader& reader) {
  Result out;
  while (true) {
    absl::StatusOr<std::optional<Row>> row = reader.Next();
    if (!row.ok()) {
      out.status = row.status();
      return out;
    }
    if (!row->has_value()) return out;
    out.rows.push_back(std::move(**row));
  }
}

Result ReadPath(const std::string& path, ReadOptions options = {}) {
  absl::StatusOr<std::unique_ptr<XlsxReader>> reader =
      XlsxReader::Open(path, options);
  if (!reader.ok()) return Result{{}, reader.status()};
  return ReadAll(**reader);
}

Result ReadParts(const Parts& parts, ReadOptions options = {},
                 bool store = false) {
  const std::string path = TempPath("parts.xlsx");
  WriteZip(path, parts, store);
  return ReadPath(path, options);
}

// Through OpenTable, as an upload in chunks.
Result ReadUpload(const std::string& name, std::string bytes,
                  size_t chunk_size = 1000, ReadOptions options = {}) {
  absl::StatusOr<std::unique_ptr<TableReader>> reader =
      OpenTable(name, ChunksOf(std::move(bytes), chunk_size), options);
  if (!reader.ok()) return Result{{}, reader.status()};
  return ReadAll(**reader);
}

void ExpectInvalid(const absl::Status& status, std::string_view substring) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(substring)));
}

TEST(ImportXlsxTest, SharedInlineSparseAndTypedCells) {
  const std::string path = TempPath("basic.xlsx");
  WriteZip(path, Workbook(kSheet, kShared));
  absl::StatusOr<std::unique_ptr<XlsxReader>> reader = XlsxReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->sheet_name(), "客户");
  EXPECT_EQ((*reader)->sheet_part(), "xl/worksheets/sheet1.xml");
  Result r = ReadAll(**reader);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(
      r.cells(),
      ElementsAre(
          Cells{"客户名称", "电话 ", "备注"},
          Cells{"北京星辰科技", "13800138000", "", "TRUE"}, Cells{"", "富文本"},
          Cells{"45292", "xy", "#N/A", "1.5", "FALSE", "a\rb & _x000D_"}));
  EXPECT_THAT(r.lines(), ElementsAre(1, 2, 5, 6));
}

TEST(ImportXlsxTest, BlankRowsKeptWhenAsked) {
  ReadOptions o;
  o.skip_blank_rows = false;
  Result r = ReadParts(Workbook(kSheet, kShared), o);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.lines(), ElementsAre(1, 2, 3, 5, 6));
  EXPECT_TRUE(r.rows[2].cells.empty());
}

TEST(ImportXlsxTest, NoSharedStringsAndNoRefs) {
  // Rows and cells without r attributes count on from the previous one.
  Result r = ReadParts(Workbook(
      "<row><c t=\"inlineStr\"><is><t>a</t></is></c><c><v>1</v></c></row>"
      "<row><c r=\"C2\"><v>2</v></c><c><v>3</v></c></row>"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.cells(), ElementsAre(Cells{"a", "1"}, Cells{"", "", "2", "3"}));
  EXPECT_THAT(r.lines(), ElementsAre(1, 2));
}

TEST(ImportXlsxTest, PrefixedNamespacesAsWrittenByOpenXmlSdk) {
  Parts parts = Workbook("");
  parts[4].second =
      std::string("<x:worksheet xmlns:x=\"") + kMainNs +
      "\"><x:sheetData><x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is>"
      "<x:t>名称</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>";
  Result r = ReadParts(parts);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.cells(), ElementsAre(Cells{"名称"}));
}

TEST(ImportXlsxTest, FirstVisibleWorksheet) {
  Parts parts = Workbook(
      "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>", "",
      "<sheet name=\"lists\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/>"
      "<sheet name=\"data\" sheetId=\"1\" r:id=\"rId1\"/>",
      "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/"
      "officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet2.xml\"/>");
  parts.push_back({"xl/worksheets/sheet2.xml",
                   std::string("<worksheet xmlns=\"") + kMainNs +
                       "\"><sheetData><row r=\"1\"><c r=\"A1\"><v>2</v></c>"
                       "</row></sheetData></worksheet>"});
  const std::string path = TempPath("two_sheets.xlsx");
  WriteZip(path, parts);
  absl::StatusOr<std::unique_ptr<XlsxReader>> reader = XlsxReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->sheet_name(), "data");
  EXPECT_THAT(ReadAll(**reader).cells(), ElementsAre(Cells{"1"}));
}

TEST(ImportXlsxTest, UploadIsSpooledAndStreamed) {
  const std::string path = TempPath("upload.xlsx");
  WriteZip(path, Workbook(kSheet, kShared));
  const std::string bytes = ReadFile(path);
  for (size_t chunk : {1, 7, 1000, 1 << 20}) {
    Result r = ReadUpload("客户.xlsx", bytes, chunk);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.rows.size(), 4u);
  }
  // Magic bytes win over a misleading name.
  EXPECT_EQ(ReadUpload("export.csv", bytes).rows.size(), 4u);
  ReadOptions o;
  o.max_file_bytes = static_cast<int64_t>(bytes.size()) - 1;
  ExpectInvalid(ReadUpload("a.xlsx", bytes, 1000, o).status,
                "file: larger than");
}

TEST(ImportXlsxTest, SpoolFileIsAnonymous) {
  absl::StatusOr<SpoolFile> spool = SpoolFile::Create(::testing::TempDir());
  ASSERT_TRUE(spool.ok()) << spool.status();
  ASSERT_TRUE(spool->Append("hello").ok());
  EXPECT_EQ(spool->size(), 5);
  // No name left in the directory.
  const std::string link = "/proc/self/fd/" + std::to_string(spool->fd());
  char target[4096] = {};
  ASSERT_GT(readlink(link.c_str(), target, sizeof(target) - 1), 0);
  EXPECT_THAT(std::string(target), HasSubstr("(deleted)"));
  EXPECT_EQ(SpoolFile::Create("/nonexistent/dir").status().code(),
            absl::StatusCode::kInternal);
}

TEST(ImportXlsxTest, Limits) {
  ReadOptions o;
  o.max_columns = 3;
  ExpectInvalid(ReadParts(Workbook(kSheet, kShared), o).status,
                "row 2: more than 3 columns");
  o = ReadOptions();
  o.max_rows = 2;
  Result r = ReadParts(Workbook(kSheet, kShared), o);
  ExpectInvalid(r.status, "row 5: more than 2 rows");
  EXPECT_EQ(r.rows.size(), 2u);
  o = ReadOptions();
  o.max_cell_bytes = 5;
  ExpectInvalid(ReadParts(Workbook(kSheet, kShared), o).status,
                "row 1: column A: cell is longer than 5 bytes");
  o = ReadOptions();
  o.max_xml_bytes = 100;
  ExpectInvalid(ReadParts(Workbook(kSheet, kShared), o).status, "uncompressed");
  o = ReadOptions();
  o.max_shared_strings_bytes = 40;
  ExpectInvalid(ReadParts(Workbook(kSheet, kShared), o).status,
                "shared strings");
}

TEST(ImportXlsxTest, NotAnXlsx) {
  const std::string path = TempPath("garbage.xlsx");
  WriteFile(path, "this is not a zip file at all, just text\n");
  ExpectInvalid(ReadPath(path).status, "file: not a valid .xlsx (");
  ExpectInvalid(ReadUpload("a.xlsx", "PK\x03\x04 truncated").status,
                "file: not a valid .xlsx (");
  ExpectInvalid(ReadParts({{"word/document.xml", "<w/>"}}).status,
                "file: not a valid .xlsx (no xl/workbook.xml");
  EXPECT_EQ(ReadPath(TempPath("missing.xlsx")).status.code(),
            absl::StatusCode::kNotFound);

  Parts parts = Workbook("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row>");
  ExpectInvalid(ReadParts(parts).status,
                "file: not a valid .xlsx (xl/worksheets/sheet1.xml: line 1:");
  ExpectInvalid(
      ReadParts(Workbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>",
                         kShared))
          .status,
      "row 1: column A: shared string index \"7\" out of range");
  ExpectInvalid(ReadParts(Workbook("<row r=\"x\"/>")).status, "bad row number");
  // Rows and cells out of order (never written by Excel) would replace or
  // reorder data: refused, naming both places.
  ExpectInvalid(ReadParts(Workbook("<row r=\"2\"><c><v>1</v></c></row>"
                                   "<row r=\"2\"><c><v>2</v></c></row>"))
                    .status,
                "row 2 comes after row 2");
  ExpectInvalid(ReadParts(Workbook("<row r=\"5\"><c><v>1</v></c></row>"
                                   "<row r=\"3\"><c><v>2</v></c></row>"))
                    .status,
                "row 3 comes after row 5");
  ExpectInvalid(ReadParts(Workbook("<row r=\"1\"><c r=\"B1\"><v>1</v></c>"
                                   "<c r=\"A1\"><v>2</v></c></row>"))
                    .status,
                "cell A1 comes after column B");
  ExpectInvalid(ReadParts(Workbook("<row r=\"1\"><c r=\"C1\"><v>1</v></c>"
                                   "<c r=\"C1\"><v>2</v></c></row>"))
                    .status,
                "cell C1 comes after column C");
  ExpectInvalid(
      ReadParts(Workbook("<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>")).status,
      "bad cell reference \"1A\"");
  // No entity expansion: a DOCTYPE (billion laughs) is refused outright.
  parts = Workbook("");
  parts[4].second =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
      "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is>"
      "</c></row></sheetData></worksheet>";
  ExpectInvalid(ReadParts(parts).status, "DOCTYPE is not allowed");
}

TEST(ImportXlsxTest, CellRefHelpers) {
  EXPECT_EQ(ColumnOfCellRef("A1"), 0);
  EXPECT_EQ(ColumnOfCellRef("Z9"), 25);
  EXPECT_EQ(ColumnOfCellRef("AA10"), 26);
  EXPECT_EQ(ColumnOfCellRef("XFD1048576"), 16383);
  EXPECT_EQ(ColumnOfCellRef("XFE1"), -1);
  EXPECT_EQ(ColumnOfCellRef("ZZZZ1"), -1);
  EXPECT_EQ(ColumnOfCellRef("1"), -1);
  EXPECT_EQ(ColumnOfCellRef(""), -1);
  EXPECT_EQ(ColumnLetters(0), "A");
  EXPECT_EQ(ColumnLetters(27), "AB");
  EXPECT_EQ(ColumnLetters(16383), "XFD");
  EXPECT_EQ(DecodeXmlEscapes("a_x000A_b_x4E2D__xZZZZ_"), "a\nb中_xZZZZ_");
}

TEST(ImportXlsxTest, TwentyThousandRowsStream) {
  std::string sheet;
  sheet +=
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
      "<c r=\"B1\" t=\"s\"><v>1</v></c></row>";
  for (int i = 2; i <= 20001; ++i) {
    const std::string n = std::to_string(i);
    sheet += "<row r=\"" + n + "\"><c r=\"A" + n +
             "\" t=\"inlineStr\"><is><t>客户" + n + "</t></is></c><c r=\"B" +
             n + "\"><v>1380000" + n + "</v></c></row>";
  }
  const std::string path = TempPath("big.xlsx");
  WriteZip(path, Workbook(sheet, kShared));
  absl::StatusOr<std::unique_ptr<TableReader>> reader =
      OpenTable("big.xlsx", ChunksOf(ReadFile(path)));
  ASSERT_TRUE(reader.ok()) << reader.status();
  int64_t rows = 0;
  int64_t last = 0;
  while (true) {
    absl::StatusOr<std::optional<Row>> row = (*reader)->Next();
    ASSERT_TRUE(row.ok()) << row.status();
    if (!row->has_value()) break;
    last = (*row)->line;
    ++rows;
  }
  EXPECT_EQ(rows, 20001);
  EXPECT_EQ(last, 20001);
}

// Truncations, random byte flips and mangled XML: never a crash, only rows
// or INVALID_ARGUMENT.
TEST(ImportXlsxTest, CorruptFilesNeverCrash) {
  const std::string path = TempPath("fuzz_src.xlsx");
  WriteZip(path, Workbook(kSheet, kShared));
  const std::string good = ReadFile(path);
  std::mt19937 rng(42);
  auto check = [](const Result& r) {
    if (!r.status.ok()) {
      EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument)
          << r.status;
    }
  };
  for (size_t len = 0; len < good.size(); len += 1 + len / 16) {
    check(ReadUpload("t.xlsx", good.substr(0, len)));
  }
  for (int iter = 0; iter < 300; ++iter) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) {
      bad[rng() % bad.size()] = static_cast<char>(rng() % 256);
    }
    check(ReadUpload("f.xlsx", bad, 1 + rng() % 5000));
  }
  // Mangled XML in stored (uncompressed) parts reaches the XML parsers.
  const Parts parts = Workbook(kSheet, kShared);
  const std::string specials = "<>/\"'=&;:x ";
  for (int iter = 0; iter < 300; ++iter) {
    Parts bad = parts;
    for (size_t p = 2; p < bad.size(); ++p) {
      std::string& xml = bad[p].second;
      const int edits = static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % xml.size();
        switch (rng() % 3) {
          case 0:
            xml.erase(at, 1 + rng() % 10);
            break;
          case 1:
            xml.insert(at, 1, specials[rng() % specials.size()]);
            break;
          default:
            xml[at] = static_cast<char>(rng() % 256);
        }
        if (xml.empty()) xml = "x";
      }
    }
    check(ReadParts(bad, {}, /*store=*/true));
  }
}

}  // namespace
}  // namespace crm::importer
