// Field-level permissions: masking, defaults per role, rules across rep,
// manager and admin, update checks and the reflection-based read filter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/customfields/entity_fields.h"
#include "common/customfields/field_access.h"
#include "crm/accounts/v1/accounts.pb.h"

namespace crm::customfields {
namespace {

using ::testing::HasSubstr;

auth::Principal As(std::string role) {
  auth::Principal p;
  p.user_id = 7;
  p.roles = {std::move(role)};
  return p;
}

TEST(MaskValueTest, KeepsThreeAndFour) {
  EXPECT_EQ(MaskValue("13812345678"), "138****5678");
  EXPECT_EQ(MaskValue("+8613812345678"), "+86138****5678");
  EXPECT_EQ(MaskValue("110101199003071234"), "110***********1234");
  EXPECT_EQ(MaskValue("张三丰李四王五赵六"), "张三丰**王五赵六");
  EXPECT_EQ(MaskValue("1234567"), "1******");
  EXPECT_EQ(MaskValue("张三"), "张*");
  EXPECT_EQ(MaskValue("x"), "*");
  EXPECT_EQ(MaskValue(""), "");
}

TEST(FieldPolicyTest, DefaultsMaskSensitiveFieldsOutsideSales) {
  FieldPolicy policy("contact", {}, {});
  for (const char* role : {"sales_rep", "sales_manager", "boss", "admin"})
    EXPECT_EQ(policy.AccessFor(As(role), "phone"), Access::kEditable) << role;
  for (const char* role : {"finance", "support_agent", "support_manager"})
    EXPECT_EQ(policy.AccessFor(As(role), "phone"), Access::kMasked) << role;
  EXPECT_EQ(policy.AccessFor(As("finance"), "name"), Access::kEditable);
}

TEST(FieldPolicyTest, RulesPerRoleAcrossRepManagerAdmin) {
  FieldPolicy policy("contact",
                     {{"phone", "sales_rep", Access::kMasked},
                      {"phone", "sales_manager", Access::kReadOnly},
                      {"title", "sales_rep", Access::kHidden},
                      {"phone", "admin", Access::kHidden}},  // ignored
                     {});
  EXPECT_EQ(policy.AccessFor(As("sales_rep"), "phone"), Access::kMasked);
  EXPECT_EQ(policy.AccessFor(As("sales_manager"), "phone"), Access::kReadOnly);
  EXPECT_EQ(policy.AccessFor(As("admin"), "phone"), Access::kEditable);
  EXPECT_EQ(policy.AccessFor(As("sales_rep"), "title"), Access::kHidden);
  EXPECT_EQ(policy.AccessFor(As("sales_manager"), "title"), Access::kEditable);
  // Several roles: the widest wins.
  auth::Principal both = As("sales_rep");
  both.roles.push_back("sales_manager");
  EXPECT_EQ(policy.AccessFor(both, "phone"), Access::kReadOnly);
  auth::Principal service;
  service.service = "leads";
  EXPECT_EQ(policy.AccessFor(service, "phone"), Access::kEditable);
}

TEST(FieldPolicyTest, CheckWritableNamesTheField) {
  FieldPolicy policy(
      "account",
      {{"industry", "sales_rep", Access::kReadOnly},
       {"custom_fields.level", "sales_manager", Access::kHidden}},
      {});
  absl::Status s = policy.CheckWritable(As("sales_rep"), {"name", "industry"});
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("account.industry: read-only"));
  EXPECT_TRUE(policy.CheckWritable(As("sales_manager"), {"industry"}).ok());
  EXPECT_THAT(policy.CheckWritable(As("sales_manager"), {"custom_fields.level"})
                  .message(),
              HasSubstr("account.custom_fields.level: hidden"));
  EXPECT_TRUE(
      policy.CheckWritable(As("admin"), {"industry", "custom_fields.level"})
          .ok());
  FieldPolicy defaults("account", {}, {});
  EXPECT_THAT(defaults.CheckWritable(As("finance"), {"id_number"}).message(),
              HasSubstr("account.id_number: masked"));
}

TEST(FieldPolicyTest, ApplyReadMasksHidesAndKeepsIds) {
  FieldPolicy policy("contact",
                     {{"phone", "sales_rep", Access::kMasked},
                      {"email", "sales_rep", Access::kHidden},
                      {"custom_fields.wechat", "sales_rep", Access::kMasked},
                      {"custom_fields.note", "sales_rep", Access::kHidden}},
                     {"idcard"});
  crm::accounts::v1::Contact c;
  c.set_id(5);
  c.set_name("王五");
  c.set_phone("+8613812345678");
  c.set_email("w@example.com");
  (*c.mutable_custom_fields())["wechat"] = "wx13812345678";
  (*c.mutable_custom_fields())["note"] = "secret";
  (*c.mutable_custom_fields())["idcard"] = "110101199003071234";
  (*c.mutable_custom_fields())["level"] = "A";

  crm::accounts::v1::Contact rep = c;
  policy.ApplyRead(As("sales_rep"), &rep);
  EXPECT_EQ(rep.id(), 5);
  EXPECT_EQ(rep.name(), "王五");
  EXPECT_EQ(rep.phone(), "+86138****5678");
  EXPECT_EQ(rep.email(), "");
  EXPECT_EQ(rep.custom_fields().at("wechat"), "wx1******5678");
  EXPECT_EQ(rep.custom_fields().count("note"), 0u);
  EXPECT_EQ(rep.custom_fields().at("idcard"), "110101199003071234");  // sales
  EXPECT_EQ(rep.custom_fields().at("level"), "A");

  crm::accounts::v1::Contact fin = c;
  policy.ApplyRead(As("finance"), &fin);
  EXPECT_EQ(fin.phone(), "+86138****5678");  // sensitive by default
  EXPECT_EQ(fin.custom_fields().at("idcard"), "110***********1234");
  EXPECT_EQ(fin.custom_fields().at("note"), "secret");

  crm::accounts::v1::Contact mgr = c;
  policy.ApplyRead(As("sales_manager"), &mgr);
  EXPECT_EQ(mgr.phone(), c.phone());
  crm::accounts::v1::Contact admin = c;
  policy.ApplyRead(As("admin"), &admin);
  EXPECT_EQ(admin.phone(), c.phone());
  EXPECT_EQ(admin.email(), c.email());
  EXPECT_EQ(admin.custom_fields().size(), 4u);
  EXPECT_EQ(admin.custom_fields().at("wechat"), "wx13812345678");
}

TEST(FieldPolicyTest, MaskedNonStringFieldsAreCleared) {
  FieldPolicy policy("account",
                     {{"signed_amount", "sales_rep", Access::kMasked},
                      {"tier", "sales_rep", Access::kHidden}},
                     {});
  crm::accounts::v1::Account a;
  a.mutable_signed_amount()->set_amount_minor(100);
  a.set_tier(crm::accounts::v1::TIER_A);
  policy.ApplyRead(As("sales_rep"), &a);
  EXPECT_FALSE(a.has_signed_amount());
  EXPECT_EQ(a.tier(), crm::accounts::v1::TIER_UNSPECIFIED);
}

TEST(EntityContextTest, UpdateSplitsCustomPathsAndChecksAccess) {
  Definition level;
  level.entity_type = "account";
  level.key = "level";
  level.label = "L";
  level.type = FieldType::kSingleSelect;
  level.options = {"A", "B"};
  EntityContext ec(
      "account", {level},
      FieldPolicy("account",
                  {{"custom_fields.level", "sales_rep", Access::kReadOnly}},
                  {}));
  Values changes;
  std::vector<std::string> builtin;
  ASSERT_TRUE(ec.CheckUpdate(As("sales_manager"),
                             {"name", "custom_fields.level"}, {{"level", "B"}},
                             &changes, &builtin)
                  .ok());
  EXPECT_EQ(builtin, std::vector<std::string>{"name"});
  EXPECT_EQ(changes.at("level"), "B");
  ASSERT_TRUE(ec.CheckUpdate(As("sales_manager"), {"custom_fields.level"}, {},
                             &changes, &builtin)
                  .ok());
  EXPECT_EQ(changes.at("level"), "");  // absent = clear
  absl::Status s = ec.CheckUpdate(As("sales_rep"), {"custom_fields"},
                                  {{"level", "A"}}, &changes, &builtin);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("account.custom_fields.level"));
  EXPECT_THAT(ec.CheckUpdate(As("sales_manager"), {"custom_fields"},
                             {{"level", "Z"}}, &changes, &builtin)
                  .message(),
              HasSubstr("account.custom_fields.level: must be one of"));
  auto filters = ec.Filters({{"level", "A"}}, "a.id");
  ASSERT_TRUE(filters.ok());
  ASSERT_EQ(filters->size(), 1u);
  EXPECT_THAT((*filters)[0].sql, HasSubstr("cfo.entity_id = a.id"));
  EXPECT_FALSE(ec.Filters({{"level", "Q"}}, "a.id").ok());
}

}  // namespace
}  // namespace crm::customfields
