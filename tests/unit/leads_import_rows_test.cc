// Spreadsheet rows -> lead drafts (domain/import_rows).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/leads/domain/import_rows.h"

namespace crm::leads {
namespace {

using ::testing::HasSubstr;

importer::HeaderMap Map(std::vector<std::string> headers) {
  auto map = importer::HeaderMap::Create(importer::Row{std::move(headers), 1},
                                         LeadImportFieldSpecs());
  EXPECT_TRUE(map.ok()) << map.status();
  return *std::move(map);
}

LeadImportRow Parse(const importer::HeaderMap& map,
                    std::vector<std::string> cells) {
  return ParseLeadRow(map.Map(importer::Row{std::move(cells), 2}), "east");
}

TEST(LeadImportRowsTest, ChineseHeadersMapAndRowsCleanse) {
  auto map = Map({"*公司名称", "联系人", "手机号", "邮箱", "城市", "员工数",
                  "统一社会信用代码", "备注", "无关列"});
  LeadImportRow r =
      Parse(map, {" 杭州青禾贸易有限公司 ", "李 雷", "139-1234-0001", "a@b.cn",
                  "杭州", "250", "", "展会名片", "x"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.draft.kind, LeadKind::kCompany);
  EXPECT_EQ(r.draft.company_name, "杭州青禾贸易有限公司");
  EXPECT_EQ(r.draft.phone, "+8613912340001");
  EXPECT_EQ(r.draft.company_size, 250);
  EXPECT_EQ(r.draft.region_code, "east");
  EXPECT_EQ(r.draft.notes, "展会名片");
}

TEST(LeadImportRowsTest, EnglishHeadersAndPersonRows) {
  auto map = Map({"contact_name", "mobile", "region_code"});
  LeadImportRow r = Parse(map, {"Li Lei", "13912340002", "north"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.draft.kind, LeadKind::kPerson);
  EXPECT_EQ(r.draft.region_code, "north");
}

TEST(LeadImportRowsTest, RowErrorsNameTheField) {
  auto map = Map({"公司名称", "手机", "规模"});
  EXPECT_THAT(Parse(map, {"A公司", "13800000000", ""}).error,
              HasSubstr("phone: "));
  EXPECT_THAT(Parse(map, {"A公司", "13912340003", "很多"}).error,
              HasSubstr("company_size: "));
  EXPECT_THAT(Parse(map, {"A公司", "13912340003", "-3"}).error,
              HasSubstr("company_size: "));
  EXPECT_THAT(Parse(map, {"", "13912340003", ""}).error,
              HasSubstr("contact_name: required"));
  EXPECT_THAT(Parse(map, {"A公司", "", ""}).error,
              HasSubstr("phone: a phone or an email"));
  // A short row reads missing cells as empty.
  EXPECT_THAT(Parse(map, {"A公司"}).error, HasSubstr("phone: "));
}

}  // namespace
}  // namespace crm::leads
