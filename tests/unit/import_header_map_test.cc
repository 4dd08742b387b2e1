#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/import/header_map.h"

namespace crm::importer {
namespace {

using ::testing::HasSubstr;

std::vector<FieldSpec> AccountFields() {
  return {
      {"name", {"客户名称", "公司名称"}, /*required=*/true},
      {"phone", {"电话", "手机", "手机号"}, /*required=*/true},
      {"contact", {"联系人", "Contact Person"}},
      {"address", {"地址"}},
  };
}

Row MakeRow(std::vector<std::string> cells, int64_t line) {
  return Row{std::move(cells), line};
}

TEST(ImportHeaderMapTest, MapsAliasesInsensitively) {
  // Full-width letters, odd case, spaces of all kinds, "*" markers.
  absl::StatusOr<HeaderMap> map =
      HeaderMap::Create(MakeRow({"*客户　名称", " ＰＨＯＮＥ ",
                                 "contact  person", "来源", "", "备注"},
                                1),
                        AccountFields());
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->ColumnOf("name"), 0u);
  EXPECT_EQ(map->ColumnOf("phone"), 1u);
  EXPECT_EQ(map->ColumnOf("contact"), 2u);
  EXPECT_FALSE(map->Has("address"));
  EXPECT_EQ(map->header_line(), 1);
  ASSERT_EQ(map->unknown_columns().size(), 2u);
  EXPECT_EQ(map->unknown_columns()[0].column, 3u);
  EXPECT_EQ(map->unknown_columns()[0].header, "来源");
  EXPECT_EQ(map->unknown_columns()[1].header, "备注");

  MappedRow row = map->Map(MakeRow({" 北京星辰科技\u3000", "13800138000"}, 7));
  EXPECT_EQ(row.Get("name"), "北京星辰科技");
  EXPECT_EQ(row.Raw("name"), " 北京星辰科技\u3000");
  EXPECT_EQ(row.Get("phone"), "13800138000");
  EXPECT_EQ(row.Get("contact"), "");  // short row
  EXPECT_EQ(row.Get("address"), "");  // no such column in the file
  EXPECT_EQ(row.Get("nonsense"), "");
  EXPECT_EQ(row.line(), 7);
}

TEST(ImportHeaderMapTest, MissingRequiredColumnsAreNamed) {
  absl::StatusOr<HeaderMap> map =
      HeaderMap::Create(MakeRow({"联系人", "地址"}, 1), AccountFields());
  ASSERT_EQ(map.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(),
            "header: missing required columns name (客户名称/公司名称/name), "
            "phone (电话/手机/手机号/phone)");
  map = HeaderMap::Create(MakeRow({"公司名称"}, 1), AccountFields());
  EXPECT_THAT(std::string(map.status().message()),
              HasSubstr("missing required column phone ("));
  // An empty header row misses everything.
  EXPECT_FALSE(HeaderMap::Create(MakeRow({}, 1), AccountFields()).ok());
}

TEST(ImportHeaderMapTest, TwoColumnsForOneFieldIsAnError) {
  absl::StatusOr<HeaderMap> map = HeaderMap::Create(
      MakeRow({"客户名称", "电话", "手机"}, 1), AccountFields());
  ASSERT_EQ(map.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(),
            "header: columns 2 (\"电话\") and 3 (\"手机\") both mean phone; "
            "keep one of them");
}

TEST(ImportHeaderMapTest, BadSpecs) {
  EXPECT_THAT(std::string(HeaderMap::Create(MakeRow({"a"}, 1),
                                            {{"a", {"x"}}, {"b", {"X "}}})
                              .status()
                              .message()),
              HasSubstr("fields: alias \"X \" is given to both a and b"));
  EXPECT_EQ(HeaderMap::Create(MakeRow({"a"}, 1), {{"a", {}}, {"a", {}}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HeaderMap::Create(MakeRow({"a"}, 1), {{"", {}}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImportHeaderMapTest, NormalizeAndTrim) {
  EXPECT_EQ(NormalizeHeader(" Phone Number "), "phonenumber");
  EXPECT_EQ(NormalizeHeader("ＡＢＣ１２３（电话）"), "abc123(电话)");
  EXPECT_EQ(NormalizeHeader("\xEF\xBB\xBF客户名称*"), "客户名称");
  EXPECT_EQ(NormalizeHeader("***"), "");
  EXPECT_EQ(NormalizeHeader("a\xFF"), "a\xFF");  // invalid bytes kept
  EXPECT_EQ(TrimCell("\u3000\u00a0 x y \t"), "x y");
  EXPECT_EQ(TrimCell("   "), "");
  EXPECT_EQ(TrimCell("中文"), "中文");
  EXPECT_EQ(TrimCell("\xE4"), "\xE4");  // a cut sequence is not space
}

}  // namespace
}  // namespace crm::importer
