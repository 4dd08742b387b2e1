// Custom field definitions and values: every type's rules, required fields,
// unknown keys, and the INVALID_ARGUMENT shape built-in fields use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/customfields/definition.h"

namespace crm::customfields {
namespace {

using ::testing::HasSubstr;

Definition Def(std::string key, FieldType type) {
  Definition d;
  d.entity_type = "account";
  d.key = std::move(key);
  d.label = "标签";
  d.type = type;
  return d;
}

std::vector<Definition> Defs() {
  Definition level = Def("level", FieldType::kSingleSelect);
  level.options = {"金牌", "银牌", "铜牌"};
  level.required = true;
  Definition tags = Def("tags", FieldType::kMultiSelect);
  tags.options = {"a", "b", "c"};
  Definition code = Def("code", FieldType::kText);
  code.min_length = 2;
  code.max_length = 6;
  code.pattern = "[A-Z]+[0-9]*";
  Definition staff = Def("staff", FieldType::kNumber);
  staff.min_value = 0;
  staff.max_value = 100000;
  Definition budget = Def("budget", FieldType::kMoney);
  budget.min_value = 0;
  Definition since = Def("since", FieldType::kDate);
  Definition buyer = Def("buyer", FieldType::kUser);
  Definition old = Def("old", FieldType::kText);
  old.active = false;
  return {level, tags, code, staff, budget, since, buyer, old};
}

absl::Status Check(Values v, bool creating = false, Values* out = nullptr) {
  absl::Status s = ValidateValues(Defs(), "account", creating, &v);
  if (out != nullptr) *out = v;
  return s;
}

TEST(CustomFieldValuesTest, AcceptsAndNormalizesGoodValues) {
  Values out;
  ASSERT_TRUE(Check({{"level", " 金牌 "},
                     {"tags", "c, a,c"},
                     {"code", "AB12"},
                     {"staff", "12.5"},
                     {"budget", "+150000"},
                     {"since", "2026-02-28"},
                     {"buyer", "42"}},
                    true, &out)
                  .ok());
  EXPECT_EQ(out["level"], "金牌");
  EXPECT_EQ(out["tags"], "a,c");  // definition order, no duplicates
  EXPECT_EQ(out["budget"], "150000");
}

TEST(CustomFieldValuesTest, ErrorsNameTheFieldAndTheRule) {
  absl::Status s = Check({{"level", "钻石"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("account.custom_fields.level: must be one of: 金牌"));
  EXPECT_THAT(Check({{"tags", "a,x"}}).message(),
              HasSubstr("account.custom_fields.tags: \"x\" is not one of"));
}

TEST(CustomFieldValuesTest, TextLengthAndPattern) {
  EXPECT_THAT(Check({{"code", "A"}}).message(),
              HasSubstr("code: at least 2 characters"));
  EXPECT_THAT(Check({{"code", "ABCDEFG"}}).message(), HasSubstr("code: "));
  EXPECT_FALSE(Check({{"code", "ABCDEFG"}}).ok());
  EXPECT_THAT(Check({{"code", "ab12"}}).message(),
              HasSubstr("code: must match [A-Z]+[0-9]*"));
  EXPECT_TRUE(Check({{"code", "AB"}}).ok());
}

TEST(CustomFieldValuesTest, NumbersMoneyDatesUsers) {
  EXPECT_THAT(Check({{"staff", "1e3"}}).message(),
              HasSubstr("staff: must be a decimal number"));
  EXPECT_THAT(Check({{"staff", "nan"}}).message(),
              HasSubstr("must be a decimal"));
  EXPECT_THAT(Check({{"staff", "-1"}}).message(),
              HasSubstr("staff: at least 0"));
  EXPECT_THAT(Check({{"staff", "100001"}}).message(),
              HasSubstr("staff: at most 100000"));
  EXPECT_THAT(Check({{"budget", "12.50"}}).message(),
              HasSubstr("budget: must be an integer amount in minor units"));
  EXPECT_THAT(Check({{"budget", "-5"}}).message(),
              HasSubstr("budget: at least 0"));
  EXPECT_THAT(Check({{"since", "2026-02-30"}}).message(),
              HasSubstr("since: must be a date YYYY-MM-DD"));
  EXPECT_THAT(Check({{"since", "2026-2-3"}}).message(), HasSubstr("since: "));
  EXPECT_THAT(Check({{"buyer", "0"}}).message(),
              HasSubstr("buyer: must be a user id"));
  EXPECT_THAT(Check({{"buyer", "x"}}).message(), HasSubstr("buyer: "));
}

TEST(CustomFieldValuesTest, RequiredOnCreateAndOnClear) {
  EXPECT_THAT(Check({}, true).message(),
              HasSubstr("account.custom_fields.level: required"));
  EXPECT_THAT(Check({{"level", ""}}, true).message(),
              HasSubstr("level: required"));
  EXPECT_TRUE(Check({}, false).ok());  // an update need not send it
  EXPECT_THAT(Check({{"level", "  "}}, false).message(),
              HasSubstr("level: required"));
  Values out;
  ASSERT_TRUE(Check({{"level", "银牌"}, {"code", ""}}, true, &out).ok());
  EXPECT_EQ(out.count("code"), 0u);  // empty values are dropped on create
  ASSERT_TRUE(Check({{"code", ""}}, false, &out).ok());
  EXPECT_EQ(out.count("code"), 1u);  // and clear on update
}

TEST(CustomFieldValuesTest, UnknownAndInactiveKeysAreRejected) {
  EXPECT_THAT(Check({{"nope", "1"}}).message(),
              HasSubstr("account.custom_fields.nope: no such custom field"));
  EXPECT_THAT(Check({{"old", "1"}}).message(),
              HasSubstr("custom_fields.old: no such custom field"));
}

TEST(CustomFieldDefinitionTest, ValidDefinitionsPass) {
  for (Definition d : Defs()) EXPECT_TRUE(ValidateDefinition(&d).ok()) << d.key;
}

TEST(CustomFieldDefinitionTest, BadDefinitionsAreRejected) {
  auto check = [](Definition d) { return ValidateDefinition(&d); };
  Definition d = Def("level", FieldType::kText);
  d.entity_type = "invoice";
  EXPECT_THAT(check(d).message(), HasSubstr("definition.entity_type"));
  for (const char* key : {"", "Level", "1a", "a-b", "with space"}) {
    d = Def(key, FieldType::kText);
    EXPECT_THAT(check(d).message(), HasSubstr("definition.key")) << key;
  }
  d = Def("k", FieldType::kText);
  d.label = " ";
  EXPECT_THAT(check(d).message(), HasSubstr("definition.label"));
  d = Def("k", static_cast<FieldType>(0));
  EXPECT_THAT(check(d).message(), HasSubstr("definition.type: required"));
  d = Def("k", FieldType::kSingleSelect);
  EXPECT_THAT(check(d).message(), HasSubstr("definition.options: 1..200"));
  d.options = {"a", " a"};
  EXPECT_THAT(check(d).message(), HasSubstr("appears twice"));
  d.options = {"a,b"};
  EXPECT_THAT(check(d).message(), HasSubstr("without \",\""));
  d = Def("k", FieldType::kText);
  d.options = {"a"};
  EXPECT_THAT(check(d).message(), HasSubstr("only select fields"));
  d = Def("k", FieldType::kText);
  d.pattern = "(";
  EXPECT_THAT(check(d).message(), HasSubstr("not a valid RE2 pattern"));
  d = Def("k", FieldType::kNumber);
  d.pattern = "x";
  EXPECT_THAT(check(d).message(), HasSubstr("text fields only"));
  d = Def("k", FieldType::kText);
  d.min_value = 1;
  EXPECT_THAT(check(d).message(), HasSubstr("number and money"));
  d = Def("k", FieldType::kNumber);
  d.min_value = 5;
  d.max_value = 1;
  EXPECT_THAT(check(d).message(), HasSubstr("min_value <= max_value"));
  d = Def("k", FieldType::kText);
  d.min_length = 5;
  d.max_length = 2;
  EXPECT_THAT(check(d).message(), HasSubstr("definition.max_length"));
}

TEST(CustomFieldFilterTest, OnlySelectOptions) {
  EXPECT_TRUE(ValidateFilter(Defs(), "level", "金牌").ok());
  EXPECT_TRUE(ValidateFilter(Defs(), "tags", "b").ok());
  EXPECT_THAT(ValidateFilter(Defs(), "level", "x").message(),
              HasSubstr("custom_field_filter.level: must be one of"));
  EXPECT_THAT(ValidateFilter(Defs(), "code", "AB").message(),
              HasSubstr("custom_field_filter.code: only select fields"));
  EXPECT_THAT(ValidateFilter(Defs(), "zzz", "a").message(),
              HasSubstr("no such custom field"));
}

TEST(CustomFieldFilterTest, IndexedOptions) {
  std::vector<Definition> defs = Defs();
  EXPECT_EQ(IndexedOptions(defs[0], "金牌"), std::vector<std::string>{"金牌"});
  EXPECT_EQ(IndexedOptions(defs[1], "a,c"),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(IndexedOptions(defs[2], "AB").empty());
  EXPECT_TRUE(IndexedOptions(defs[0], "").empty());
}

}  // namespace
}  // namespace crm::customfields
