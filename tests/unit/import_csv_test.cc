#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <random>
#include <string>
#include <vector>

#include "common/import/csv_reader.h"
#include "common/import/open_table.h"
#include "common/import/text_decoder.h"

namespace crm::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Cells = std::vector<std::string>;

// Everything a parse produces: the rows, then the final status.
struct Parsed {
  std::vector<Row> rows;
  absl::Status status;
  Encoding encoding = Encoding::kAuto;

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

Parsed Parse(std::string_view data, ReadOptions options = {},
             size_t chunk_size = 0) {
  CsvParser parser(options);
  Parsed out;
  auto drain = [&] {
    while (std::optional<Row> row = parser.NextRow()) {
      out.rows.push_back(std::move(*row));
    }
  };
  if (chunk_size == 0) chunk_size = data.size() + 1;
  for (size_t i = 0; i < data.size() && out.status.ok(); i += chunk_size) {
    out.status = parser.Feed(data.substr(i, chunk_size));
    drain();
  }
  if (out.status.ok()) out.status = parser.Finish();
  drain();
  out.encoding = parser.encoding();
  return out;
}

// Converts UTF-8 text with glibc iconv, as a GB18030 or UTF-16 Excel would
// have written it.
std::string Encode(std::string_view utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t inleft = utf8.size();
  char* outp = out.data();
  size_t outleft = out.size();
  EXPECT_NE(iconv(cd, &in, &inleft, &outp, &outleft), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - outleft);
  return out;
}

void ExpectInvalid(const absl::Status& status, std::string_view substring) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(substring)));
}

TEST(ImportCsvTest, PlainRowsWithLineNumbers) {
  Parsed p = Parse("name,phone\n张三,13800138000\n李四,13900139000\n");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(),
              ElementsAre(Cells{"name", "phone"}, Cells{"张三", "13800138000"},
                          Cells{"李四", "13900139000"}));
  EXPECT_THAT(p.lines(), ElementsAre(1, 2, 3));
  EXPECT_EQ(p.encoding, Encoding::kUtf8);
}

TEST(ImportCsvTest, QuotedFields) {
  Parsed p = Parse(
      "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
      "x,\"\",\"\"\"\"\r\n"
      "\"crlf\r\ninside\",y\n");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(),
              ElementsAre(Cells{"a,b", "say \"hi\"", "two\nlines"},
                          Cells{"x", "", "\""}, Cells{"crlf\r\ninside", "y"}));
  EXPECT_THAT(p.lines(), ElementsAre(1, 3, 4));
}

TEST(ImportCsvTest, EmptyFieldsAndBlankLines) {
  Parsed p = Parse("a,,c\n\n,,\nd,\n\r\n\n");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(), ElementsAre(Cells{"a", "", "c"}, Cells{"d", ""}));
  EXPECT_THAT(p.lines(), ElementsAre(1, 4));

  ReadOptions keep;
  keep.skip_blank_rows = false;
  p = Parse("a,,c\n\n,,\n\"\"\n", keep);
  ASSERT_TRUE(p.status.ok()) << p.status;
  // Lines with no characters are skipped even so.
  EXPECT_THAT(p.cells(),
              ElementsAre(Cells{"a", "", "c"}, Cells{"", "", ""}, Cells{""}));
  EXPECT_THAT(p.lines(), ElementsAre(1, 3, 4));
}

TEST(ImportCsvTest, LastRecordWithoutLineEnd) {
  Parsed p = Parse("a,b\nc,\"d\"");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(), ElementsAre(Cells{"a", "b"}, Cells{"c", "d"}));
}

TEST(ImportCsvTest, BareCrLineEnds) {
  Parsed p = Parse("a,b\rc,d\r\re\r");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(),
              ElementsAre(Cells{"a", "b"}, Cells{"c", "d"}, Cells{"e"}));
  EXPECT_THAT(p.lines(), ElementsAre(1, 2, 4));
}

TEST(ImportCsvTest, StrayQuoteInUnquotedFieldIsLiteral) {
  Parsed p = Parse("27\" monitor,x\" y\n \"a\",b\n");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(), ElementsAre(Cells{"27\" monitor", "x\" y"},
                                     Cells{" \"a\"", "b"}));
}

TEST(ImportCsvTest, TextAfterClosingQuoteIsAnError) {
  Parsed p = Parse("ok,1\nfine,2\n\"abc\"def,3\n");
  ExpectInvalid(p.status,
                "line 3: column 1: unexpected text after a closing quote");
  EXPECT_EQ(p.rows.size(), 2u);  // the rows before the error still come out
}

TEST(ImportCsvTest, UnterminatedQuoteNamesTheLineItOpened) {
  Parsed p = Parse("a,b\nc,\"never closed\nmore\nlines\n");
  ExpectInvalid(p.status, "line 2: column 2: quoted field is never closed");
}

TEST(ImportCsvTest, Limits) {
  ReadOptions o;
  o.max_cell_bytes = 5;
  ExpectInvalid(Parse("ok\n12345\n123456\n", o).status,
                "line 3: column 1: cell is longer than 5 bytes");
  // An unterminated quote cannot swallow unbounded memory.
  ExpectInvalid(Parse("\"" + std::string(1000, 'x'), o).status,
                "line 1: column 1: cell is longer than 5 bytes");

  o = ReadOptions();
  o.max_columns = 3;
  ExpectInvalid(Parse("a,b,c\na,b,c,d\n", o).status,
                "line 2: more than 3 columns");

  o = ReadOptions();
  o.max_rows = 2;
  EXPECT_TRUE(Parse("h\n1\n\n\n", o).status.ok());
  ExpectInvalid(Parse("h\n1\n2\n", o).status, "line 3: more than 2 rows");

  o = ReadOptions();
  o.max_file_bytes = 10;
  ExpectInvalid(Parse("0123456789\n", o, 4).status,
                "file: larger than 10 bytes");
}

TEST(ImportCsvTest, NulAndInvalidUtf8AreRejected) {
  ExpectInvalid(Parse(std::string("a\0b,c\n", 6)).status,
                "line 1: column 1: contains a NUL byte");
  // Detected as UTF-8 from a window of valid UTF-8, GBK after it.
  ReadOptions o;
  o.detect_window_bytes = 16;
  std::string text = "名称,电话\n" + std::string("北京科技,1\n") +
                     Encode("上海贸易,2\n", "GB18030");
  Parsed p = Parse(text, o);
  ExpectInvalid(p.status, "line 3: column 1: not valid UTF-8");
  EXPECT_THAT(std::string(p.status.message()), HasSubstr("GB18030"));
  EXPECT_EQ(p.rows.size(), 2u);
  // The same file with the encoding given is wrong from the first line:
  // declared UTF-8 but not.
  o.encoding = Encoding::kUtf8;
  ExpectInvalid(Parse(Encode("名称\n", "GB18030"), o).status,
                "line 1: column 1: not valid UTF-8 (the file was declared");
}

TEST(ImportCsvTest, Utf8BomIsDropped) {
  Parsed p = Parse("\xEF\xBB\xBFname,phone\n张三,1\n");
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_THAT(p.cells(),
              ElementsAre(Cells{"name", "phone"}, Cells{"张三", "1"}));
  EXPECT_EQ(p.encoding, Encoding::kUtf8);
  // Only a BOM, or a BOM cut by the end of the file.
  EXPECT_TRUE(Parse("\xEF\xBB\xBF").rows.empty());
  EXPECT_TRUE(Parse("\xEF\xBB\xBF", {}, 1).status.ok());
  // With the encoding given, its BOM is still dropped.
  ReadOptions o;
  o.encoding = Encoding::kUtf8;
  EXPECT_THAT(Parse("\xEF\xBB\xBFx\n", o, 1).cells(), ElementsAre(Cells{"x"}));
}

const char kChineseCsv[] =
    "客户名称,联系人,电话,地址,备注\r\n"
    "北京星辰科技有限公司,张三,13800138000,\"北京市海淀区中关村大街1号, "
    "3层\",\"重点客户\n需要回访\"\r\n"
    "上海\"\"云帆\"\"贸易,李四,021-12345678,上海市浦东新区,\r\n"
    "广州𠀀字号（全角）,王五,,广州市天河区,\"含\"\"引号\"\"\"\r\n"
    "深圳市腾飞电子,赵六,0755-8888,,😀表情\r\n";

TEST(ImportCsvTest, Gb18030IsDetectedAndConverted) {
  const std::string gb = Encode(kChineseCsv, "GB18030");
  ASSERT_NE(gb, kChineseCsv);
  Parsed utf8 = Parse(kChineseCsv);
  ASSERT_TRUE(utf8.status.ok()) << utf8.status;
  ASSERT_EQ(utf8.rows.size(), 5u);
  EXPECT_EQ(utf8.rows[3].cells[0], "广州𠀀字号（全角）");
  Parsed p = Parse(gb);
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_EQ(p.encoding, Encoding::kGb18030);
  EXPECT_EQ(p.cells(), utf8.cells());
  EXPECT_EQ(p.lines(), utf8.lines());
  // Given explicitly.
  ReadOptions o;
  o.encoding = Encoding::kGb18030;
  EXPECT_EQ(Parse(gb, o).cells(), utf8.cells());
}

TEST(ImportCsvTest, LongAsciiPrefixDoesNotDecideTheEncoding) {
  // 100 KiB of ASCII (more than the 64 KiB window) before the first Chinese.
  std::string utf8 = "id,phone\n";
  while (utf8.size() < 100 * 1024) utf8 += "12345,13800138000\n";
  utf8 += "客户,电话\n";
  Parsed p = Parse(Encode(utf8, "GB18030"), {}, 4096);
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_EQ(p.encoding, Encoding::kGb18030);
  EXPECT_EQ(p.rows.back().cells, (Cells{"客户", "电话"}));
}

TEST(ImportCsvTest, Utf16WithBom) {
  const std::string le = "\xFF\xFE" + Encode(kChineseCsv, "UTF-16LE");
  const std::string be = "\xFE\xFF" + Encode(kChineseCsv, "UTF-16BE");
  Parsed utf8 = Parse(kChineseCsv);
  Parsed p = Parse(le, {}, 3);
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_EQ(p.encoding, Encoding::kUtf16Le);
  EXPECT_EQ(p.cells(), utf8.cells());
  p = Parse(be, {}, 5);
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_EQ(p.encoding, Encoding::kUtf16Be);
  EXPECT_EQ(p.cells(), utf8.cells());
}

TEST(ImportCsvTest, TabDelimiter) {
  ReadOptions o;
  o.delimiter = '\t';
  EXPECT_THAT(Parse("a\tb,c\t\"d\te\"\n", o).cells(),
              ElementsAre(Cells{"a", "b,c", "d\te"}));
  o.delimiter = '"';
  ExpectInvalid(Parse("a\n", o).status, "delimiter");
}

TEST(ImportCsvTest, BadGb18030Bytes) {
  // 0x81 is not UTF-8 (so GB18030), but 0x81 0x20 is not GB18030 either.
  Parsed p = Parse("a,b\nc,d\n\x81\x20,e\n");
  EXPECT_EQ(p.encoding, Encoding::kGb18030);
  ExpectInvalid(p.status,
                "line 3: invalid GB18030 byte sequence at byte offset 8");
  EXPECT_EQ(p.rows.size(), 2u);
  // A character cut by the end of the file.
  ExpectInvalid(Parse(Encode("名称\n张", "GB18030").substr(0, 6)).status,
                "file ends inside a GB18030 character");
}

// Feeding any split of the input gives the same rows, lines and status as
// feeding it whole: chunk boundaries inside quotes, CRLF pairs, BOMs and
// multibyte GB18030/UTF-16/UTF-8 characters.
TEST(ImportCsvTest, ChunkBoundariesDoNotMatter) {
  const std::string inputs[] = {
      kChineseCsv,
      "\xEF\xBB\xBF" + std::string(kChineseCsv),
      Encode(kChineseCsv, "GB18030"),
      "\xFF\xFE" + Encode(kChineseCsv, "UTF-16LE"),
      "a\r\r\n\"b\r\",\"\"\"\"\r",
      "ok\n\"bad\"x\n",
      "ok\n\"open\n",
  };
  for (const std::string& input : inputs) {
    const Parsed whole = Parse(input);
    for (size_t chunk : {1, 2, 3, 5, 7, 64}) {
      const Parsed split = Parse(input, {}, chunk);
      EXPECT_EQ(split.cells(), whole.cells()) << "chunk " << chunk;
      EXPECT_EQ(split.lines(), whole.lines()) << "chunk " << chunk;
      EXPECT_EQ(split.status, whole.status) << "chunk " << chunk;
      EXPECT_EQ(split.encoding, whole.encoding) << "chunk " << chunk;
    }
  }
}

TEST(ImportCsvTest, ReaderPullsChunksFromTheSource) {
  CsvReader reader(ChunksOf("h1,h2\n1,\"a\nb\"\n2,c", 3));
  std::vector<Row> rows;
  while (true) {
    absl::StatusOr<std::optional<Row>> row = reader.Next();
    ASSERT_TRUE(row.ok()) << row.status();
    if (!row->has_value()) break;
    rows.push_back(std::move(**row));
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].cells, (Cells{"1", "a\nb"}));
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_FALSE(reader.Next()->has_value());  // stays at the end

  // Errors from the source and from the parser are sticky.
  int calls = 0;
  CsvReader failing([&]() -> absl::StatusOr<std::optional<std::string>> {
    if (calls++ == 0) return std::string("a\nb\n");
    return absl::CancelledError("client went away");
  });
  for (const char* want : {"a", "b"}) {
    absl::StatusOr<std::optional<Row>> row = failing.Next();
    ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
    EXPECT_EQ((*row)->cells, Cells{want});
  }
  EXPECT_EQ(failing.Next().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(failing.Next().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);

  CsvReader bad(ChunksOf("a\n\"x\"y\nnot reached\n", 2));
  EXPECT_TRUE(bad.Next().ok());
  ExpectInvalid(bad.Next().status(), "line 2:");
  ExpectInvalid(bad.Next().status(), "line 2:");
}

// A generated 100k-row upload flows through in chunks; the parser never holds
// more than one chunk's rows.
TEST(ImportCsvTest, HundredThousandRowsStream) {
  for (const char* encoding : {"UTF-8", "GB18030"}) {
    constexpr int kRows = 100'000;
    int next_row = 0;
    bool header_sent = false;
    ChunkSource source = [&]() -> absl::StatusOr<std::optional<std::string>> {
      if (next_row >= kRows) return std::nullopt;
      std::string chunk;
      if (!header_sent) {
        chunk = "客户名称,联系人,电话,备注\r\n";
        header_sent = true;
      }
      while (chunk.size() < 64 * 1024 && next_row < kRows) {
        chunk += "\"客户" + std::to_string(next_row) + ",有限公司\",联系人" +
                 std::to_string(next_row % 97) + ",1380013" +
                 std::to_string(1000 + next_row % 9000) +
                 ",\"备注\n第二行\"\r\n";
        ++next_row;
      }
      return std::string(encoding) == "UTF-8" ? chunk : Encode(chunk, encoding);
    };
    CsvReader reader(source);
    int64_t rows = 0;
    int64_t last_line = 0;
    size_t max_queued = 0;
    while (true) {
      absl::StatusOr<std::optional<Row>> row = reader.Next();
      ASSERT_TRUE(row.ok()) << row.status();
      if (!row->has_value()) break;
      ASSERT_EQ((*row)->cells.size(), 4u);
      last_line = (*row)->line;
      max_queued = std::max(max_queued, reader.parser().rows_queued());
      ++rows;
    }
    EXPECT_EQ(rows, kRows + 1) << encoding;
    EXPECT_EQ(last_line, 1 + 2 * int64_t{kRows - 1} + 1) << encoding;
    EXPECT_LT(max_queued, 2000u) << encoding;
  }
}

// Random bytes, biased towards CSV's special characters and non-ASCII, fed
// in random pieces: never a crash, only rows or INVALID_ARGUMENT, and the
// same outcome as feeding the bytes whole.
TEST(ImportCsvTest, RandomInputNeverCrashes) {
  std::mt19937 rng(20240601);
  static const char kAlphabet[] =
      "\",\r\n\tab1 \x81\xC4\xE4\xEF\xBB\xBF\xFF\xFE\x30\xA1";
  // sizeof includes the terminating NUL, which is wanted here too.
  const std::string alphabet(kAlphabet, sizeof(kAlphabet));
  for (int iter = 0; iter < 2000; ++iter) {
    std::string input;
    const size_t len = rng() % 200;
    for (size_t i = 0; i < len; ++i) {
      input.push_back(rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                     : alphabet[rng() % alphabet.size()]);
    }
    ReadOptions o;
    o.detect_window_bytes = 1 + rng() % 64;
    o.max_cell_bytes = 1 + rng() % 64;
    o.max_columns = 1 + rng() % 16;
    o.encoding = static_cast<Encoding>(rng() % 5);
    const Parsed whole = Parse(input, o);
    const Parsed split = Parse(input, o, 1 + rng() % 9);
    if (!whole.status.ok()) {
      EXPECT_EQ(whole.status.code(), absl::StatusCode::kInvalidArgument)
          << whole.status;
    }
    EXPECT_EQ(split.status, whole.status);
    EXPECT_EQ(split.cells(), whole.cells());
  }
}

}  // namespace
}  // namespace crm::importer
