// Import template header aliases and row -> draft mapping
// (domain/import_rows.h).
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/validate/credit_code.h"
#include "services/accounts/domain/import_rows.h"

namespace crm::accounts {
namespace {

using importer::HeaderMap;
using importer::Row;

std::string CreditCode(int n) {
  std::string first17 = absl::StrCat("91310000MA1", 100000 + n);
  return first17 + *validate::CreditCodeCheckChar(first17);
}

HeaderMap Map(std::vector<std::string> header) {
  absl::StatusOr<HeaderMap> m =
      HeaderMap::Create(Row{std::move(header), 1}, ImportFieldSpecs());
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

ImportRow Parse(const HeaderMap& m, std::vector<std::string> cells,
                const std::string& region = "east") {
  return ParseImportRow(m.Map(Row{std::move(cells), 7}), region);
}

TEST(AccountsImportRowsTest, ChineseTemplateHeadersMap) {
  HeaderMap m = Map({"*客户名称", "统一社会信用代码", "手机", "行业", "地址",
                     "区域", "客户类型", "联系人", "备注"});
  EXPECT_TRUE(m.Has("name"));
  EXPECT_TRUE(m.Has("credit_code"));
  EXPECT_TRUE(m.Has("phone"));
  EXPECT_TRUE(m.Has("contact_name"));
  ASSERT_EQ(m.unknown_columns().size(), 1u);
  EXPECT_EQ(m.unknown_columns()[0].header, "备注");
}

TEST(AccountsImportRowsTest, AliasesAndEnglishNames) {
  for (const char* name : {"公司名称", "企业名称", "NAME", "Name"}) {
    HeaderMap m = Map({name, "信用代码"});
    EXPECT_TRUE(m.Has("name")) << name;
  }
  HeaderMap m = Map({"name", "credit_code", "phone", "region", "type"});
  EXPECT_TRUE(m.Has("region"));
  EXPECT_TRUE(m.Has("type"));
}

TEST(AccountsImportRowsTest, MissingNameColumnIsAHeaderError) {
  absl::StatusOr<HeaderMap> m =
      HeaderMap::Create(Row{{"电话", "地址"}, 1}, ImportFieldSpecs());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("name"), std::string::npos);
}

TEST(AccountsImportRowsTest, CompanyRow) {
  HeaderMap m = Map(
      {"客户名称", "统一社会信用代码", "行业", "类型", "联系人", "联系电话"});
  ImportRow r = Parse(m, {"上海某某科技有限公司", CreditCode(1), "软件", "KA",
                          "张三", "13912345670"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.line, 7);
  EXPECT_EQ(r.draft.kind, AccountKind::kCompany);
  EXPECT_EQ(r.draft.type, CustomerType::kKa);
  EXPECT_EQ(r.draft.region_code, "east");
  EXPECT_EQ(r.draft.industry, "软件");
  EXPECT_EQ(r.key, "credit_code:" + CreditCode(1));
  ASSERT_TRUE(r.contact.has_value());
  EXPECT_EQ(r.contact->name, "张三");
  EXPECT_EQ(r.contact->phone, "+8613912345670");
}

TEST(AccountsImportRowsTest, PersonRowWithoutCreditCode) {
  HeaderMap m = Map({"客户名称", "手机", "类型"});
  ImportRow r = Parse(m, {"李四", "139 1234 5671", "小客户"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.draft.kind, AccountKind::kPerson);
  EXPECT_EQ(r.draft.type, CustomerType::kSmb);
  EXPECT_EQ(r.key, "phone:+8613912345671");
  EXPECT_FALSE(r.contact.has_value());
}

TEST(AccountsImportRowsTest, InvalidRowsNameFieldAndRule) {
  HeaderMap m = Map(
      {"客户名称", "统一社会信用代码", "手机", "区域", "类型", "纬度", "经度"});
  EXPECT_EQ(
      Parse(m, {"", CreditCode(2), "", "", "", "", ""}).error.substr(0, 6),
      "name: ");
  EXPECT_EQ(Parse(m, {"某公司", "91310000MA1000000X", "", "", "", "", ""})
                .error.substr(0, 13),
            "credit_code: ");
  EXPECT_EQ(Parse(m, {"王五", "", "", "", "", "", ""}).error,
            "phone: required for a person");
  EXPECT_EQ(Parse(m, {"王五", "", "12", "", "", "", ""}).error.substr(0, 7),
            "phone: ");
  EXPECT_EQ(Parse(m, {"王五", "", "13912345672", "", "VIP", "", ""}).error,
            "type: must be KA or SMB");
  EXPECT_EQ(Parse(m, {"王五", "", "13912345672", "north", "", "", ""}).error,
            "region: must be \"east\" (the target pool's region) or empty");
  EXPECT_EQ(Parse(m, {"王五", "", "13912345672", "", "", "abc", "1"}).error,
            "lat: must be a number");
  EXPECT_EQ(Parse(m, {"王五", "", "13912345672", "EAST", "", "", ""}).error,
            "");
}

TEST(AccountsImportRowsTest, ContactPhoneNeedsAContactName) {
  HeaderMap m = Map({"客户名称", "手机", "联系人", "联系人电话"});
  EXPECT_EQ(Parse(m, {"赵六", "13912345673", "", "13912345674"}).error,
            "contact_name: required when contact_phone is given");
  ImportRow r = Parse(m, {"赵六", "13912345673", "赵六", "13912345674"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.contact->phone, "+8613912345674");
}

}  // namespace
}  // namespace crm::accounts
