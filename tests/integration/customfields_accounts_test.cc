// Custom fields end to end in accounts: admin definitions over the shared
// CustomFieldService, values validated on create/update with the built-in
// INVALID_ARGUMENT shape, returned by Get/List/Update, List filters on
// select fields (indexed), and contacts' custom fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/integration/customfields_host.h"
#include "tests/testing/accounts_harness.h"

namespace crm {
namespace {

namespace pb = crm::accounts::v1;
namespace cpb = crm::customfields::v1;
using testing::CreditCode;
using testing::FieldDef;
using ::testing::HasSubstr;

class CustomFieldsAccountsTest : public ::testing::Test {
 protected:
  CustomFieldsAccountsTest()
      : cf_(h_.schema().Pool(), h_.identity().shared_clock(),
            {{"account", pb::Account::descriptor()},
             {"contact", pb::Contact::descriptor()}}) {
    admin_ = h_.Admin();
    rep_ = h_.User("rep.a", "e1", "sales_rep").token;
    mgr_ = h_.User("mgr.east", "east", "sales_manager").token;
  }

  void DefineStandardFields() {
    cpb::FieldDefinition level =
        FieldDef("account", "level", cpb::FIELD_TYPE_SINGLE_SELECT,
                 {"金牌", "银牌", "铜牌"});
    level.set_required(true);
    ASSERT_TRUE(cf_.Define(admin_, level).ok());
    ASSERT_TRUE(cf_.Define(admin_, FieldDef("account", "tags",
                                            cpb::FIELD_TYPE_MULTI_SELECT,
                                            {"制造", "外贸", "国企"}))
                    .ok());
    cpb::FieldDefinition staff =
        FieldDef("account", "staff", cpb::FIELD_TYPE_NUMBER);
    staff.set_min_value(1);
    staff.set_max_value(100000);
    ASSERT_TRUE(cf_.Define(admin_, staff).ok());
    ASSERT_TRUE(
        cf_.Define(admin_, FieldDef("account", "since", cpb::FIELD_TYPE_DATE))
            .ok());
  }

  grpc::Status Create(const std::string& token, pb::Account a,
                      pb::Account* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateAccountRequest req;
    *req.mutable_account() = std::move(a);
    req.set_ignore_similar(true);
    pb::CreateAccountResponse resp;
    grpc::Status s = h_.stub().CreateAccount(&ctx, req, &resp);
    if (out != nullptr) *out = resp.account();
    return s;
  }

  pb::Account Company(int n, std::map<std::string, std::string> values) {
    pb::Account a = testing::CompanyDraft(absl::StrCat("星河贸易", n, "号公司"),
                                          CreditCode(n));
    for (auto& [k, v] : values) (*a.mutable_custom_fields())[k] = v;
    return a;
  }

  grpc::Status Update(const std::string& token, const pb::Account& a,
                      std::vector<std::string> paths, pb::Account* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateAccountRequest req;
    *req.mutable_account() = a;
    for (auto& path : paths) req.mutable_update_mask()->add_paths(path);
    return h_.stub().UpdateAccount(&ctx, req, out);
  }

  pb::ListAccountsResponse List(const std::string& token,
                                std::map<std::string, std::string> filter,
                                grpc::Status* status = nullptr,
                                int page_size = 0,
                                const std::string& page_token = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListAccountsRequest req;
    for (auto& [k, v] : filter) (*req.mutable_custom_field_filter())[k] = v;
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    pb::ListAccountsResponse out;
    grpc::Status s = h_.stub().ListAccounts(&ctx, req, &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  testing::AccountsHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_, rep_, mgr_;
};

TEST_F(CustomFieldsAccountsTest, OnlyAdminsDefineAndBadDefinitionsAreNamed) {
  auto d = FieldDef("account", "level", cpb::FIELD_TYPE_SINGLE_SELECT, {"A"});
  grpc::Status s = cf_.Define(rep_, d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(cf_.Define(mgr_, d).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  cpb::FieldDefinition created;
  ASSERT_TRUE(cf_.Define(admin_, d, &created).ok());
  EXPECT_GT(created.id(), 0);
  EXPECT_TRUE(created.active());
  s = cf_.Define(admin_, d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("id ", created.id())));

  struct Bad {
    cpb::FieldDefinition def;
    std::string expect;
  };
  std::vector<Bad> bad = {
      {FieldDef("lead", "x", cpb::FIELD_TYPE_TEXT), "definition.entity_type"},
      {FieldDef("invoice", "x", cpb::FIELD_TYPE_TEXT),
       "definition.entity_type"},
      {FieldDef("account", "Bad-Key", cpb::FIELD_TYPE_TEXT), "definition.key"},
      {FieldDef("account", "x", cpb::FIELD_TYPE_UNSPECIFIED),
       "definition.type"},
      {FieldDef("account", "x", cpb::FIELD_TYPE_SINGLE_SELECT),
       "definition.options"},
      {FieldDef("account", "x", cpb::FIELD_TYPE_TEXT, {"A"}),
       "definition.options"},
  };
  cpb::FieldDefinition bad_re = FieldDef("account", "x", cpb::FIELD_TYPE_TEXT);
  bad_re.set_pattern("([a-z]");
  bad.push_back({bad_re, "definition.pattern"});
  for (const Bad& b : bad) {
    s = cf_.Define(admin_, b.def);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.expect;
    EXPECT_THAT(s.error_message(), HasSubstr(b.expect));
  }

  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_);
  cpb::ListFieldDefinitionsRequest req;
  req.set_entity_type("account");
  cpb::ListFieldDefinitionsResponse list;
  ASSERT_TRUE(cf_.stub().ListFieldDefinitions(&ctx, req, &list).ok());
  ASSERT_EQ(list.definitions_size(), 1);
  EXPECT_EQ(list.definitions(0).key(), "level");
}

TEST_F(CustomFieldsAccountsTest, ValuesAreValidatedStoredAndReturned) {
  DefineStandardFields();
  pb::Account out;
  grpc::Status s = Create(rep_, Company(1, {}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "account.custom_fields.level: required");
  s = Create(rep_, Company(1, {{"level", "钻石"}}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("account.custom_fields.level: must be one of"));
  s = Create(rep_, Company(1, {{"level", "金牌"}, {"staff", "0"}}), &out);
  EXPECT_THAT(s.error_message(),
              HasSubstr("account.custom_fields.staff: at least 1"));
  s = Create(rep_, Company(1, {{"level", "金牌"}, {"since", "2026-13-01"}}),
             &out);
  EXPECT_THAT(s.error_message(), HasSubstr("account.custom_fields.since: "));
  s = Create(rep_, Company(1, {{"level", "金牌"}, {"nope", "1"}}), &out);
  EXPECT_THAT(s.error_message(),
              HasSubstr("account.custom_fields.nope: no such custom field"));
  // Nothing was created by the rejected calls.
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM accounts", "n"), 0);

  ASSERT_TRUE(Create(rep_,
                     Company(1, {{"level", "金牌"},
                                 {"tags", "国企, 制造"},
                                 {"staff", "120"}}),
                     &out)
                  .ok());
  EXPECT_EQ(out.custom_fields().at("level"), "金牌");
  EXPECT_EQ(out.custom_fields().at("tags"), "制造,国企");
  pb::Account got;
  ASSERT_TRUE(h_.GetAccount(rep_, out.id(), &got).ok());
  EXPECT_EQ(got.custom_fields().size(), 3u);
  EXPECT_EQ(got.custom_fields().at("staff"), "120");

  // Update one key (the others stay), then clear one, then a bad value.
  pb::Account patch;
  patch.set_id(out.id());
  (*patch.mutable_custom_fields())["level"] = "银牌";
  pb::Account updated;
  ASSERT_TRUE(Update(rep_, patch, {"custom_fields.level"}, &updated).ok());
  EXPECT_EQ(updated.custom_fields().at("level"), "银牌");
  EXPECT_EQ(updated.custom_fields().at("staff"), "120");
  patch.clear_custom_fields();
  ASSERT_TRUE(Update(rep_, patch, {"custom_fields.staff"}, &updated).ok());
  EXPECT_EQ(updated.custom_fields().count("staff"), 0u);
  s = Update(rep_, patch, {"custom_fields.level"}, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "account.custom_fields.level: required");
  (*patch.mutable_custom_fields())["tags"] = "外贸,军工";
  s = Update(rep_, patch, {"custom_fields"}, &updated);
  EXPECT_THAT(s.error_message(),
              HasSubstr("account.custom_fields.tags: \"军工\" is not one of"));
  // A built-in and a custom field in one update.
  patch.set_industry("批发");
  (*patch.mutable_custom_fields())["tags"] = "外贸";
  ASSERT_TRUE(
      Update(rep_, patch, {"industry", "custom_fields"}, &updated).ok());
  EXPECT_EQ(updated.industry(), "批发");
  EXPECT_EQ(updated.custom_fields().at("tags"), "外贸");
  EXPECT_EQ(updated.custom_fields().at("level"), "银牌");
}

TEST_F(CustomFieldsAccountsTest, ListFiltersOnSelectFieldsUseTheOptionIndex) {
  DefineStandardFields();
  const char* levels[] = {"金牌", "银牌", "铜牌"};
  std::map<std::string, std::vector<int64_t>> by_level;
  int64_t foreign_trade = 0;
  for (int i = 1; i <= 9; ++i) {
    std::map<std::string, std::string> v = {{"level", levels[i % 3]}};
    if (i % 2 == 0) v["tags"] = "外贸,制造";
    pb::Account out;
    ASSERT_TRUE(Create(rep_, Company(i, v), &out).ok()) << i;
    by_level[levels[i % 3]].push_back(out.id());
    if (i % 2 == 0 && levels[i % 3] == std::string("金牌")) ++foreign_trade;
  }
  pb::ListAccountsResponse gold = List(rep_, {{"level", "金牌"}});
  ASSERT_EQ(gold.accounts_size(), 3);
  for (const pb::Account& a : gold.accounts())
    EXPECT_EQ(a.custom_fields().at("level"), "金牌");
  EXPECT_EQ(List(rep_, {{"tags", "外贸"}}).accounts_size(), 4);
  EXPECT_EQ(List(rep_, {{"tags", "制造"}, {"level", "金牌"}}).accounts_size(),
            foreign_trade);
  EXPECT_EQ(List(rep_, {{"tags", "国企"}}).accounts_size(), 0);
  // Paging keeps the filter.
  pb::ListAccountsResponse page = List(rep_, {{"level", "银牌"}}, nullptr, 2);
  ASSERT_EQ(page.accounts_size(), 2);
  pb::ListAccountsResponse rest =
      List(rep_, {{"level", "银牌"}}, nullptr, 2, page.next_page_token());
  EXPECT_EQ(rest.accounts_size(), 1);
  // Another rep sees none of them even with the filter (data scope holds).
  std::string other = h_.User("rep.n", "n1", "sales_rep").token;
  EXPECT_EQ(List(other, {{"level", "金牌"}}).accounts_size(), 0);
  // Changing a value moves the account in the index.
  pb::Account patch;
  patch.set_id(by_level["金牌"][0]);
  (*patch.mutable_custom_fields())["level"] = "铜牌";
  pb::Account updated;
  ASSERT_TRUE(Update(rep_, patch, {"custom_fields.level"}, &updated).ok());
  EXPECT_EQ(List(rep_, {{"level", "金牌"}}).accounts_size(), 2);
  EXPECT_EQ(List(rep_, {{"level", "铜牌"}}).accounts_size(), 4);

  grpc::Status s;
  List(rep_, {{"level", "钻石"}}, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("custom_field_filter.level: must be one of"));
  List(rep_, {{"staff", "12"}}, &s);
  EXPECT_THAT(s.error_message(),
              HasSubstr("custom_field_filter.staff: only select fields"));
  List(rep_, {{"zzz", "1"}}, &s);
  EXPECT_THAT(s.error_message(), HasSubstr("no such custom field"));
}

TEST_F(CustomFieldsAccountsTest, DeactivatedFieldsDisappearButKeepValues) {
  DefineStandardFields();
  pb::Account out;
  ASSERT_TRUE(
      Create(rep_, Company(1, {{"level", "金牌"}, {"staff", "5"}}), &out).ok());
  grpc::ClientContext ctx;
  client::Prepare(&ctx, admin_);
  cpb::UpdateFieldDefinitionRequest req;
  *req.mutable_definition() =
      FieldDef("account", "staff", cpb::FIELD_TYPE_NUMBER);
  req.mutable_definition()->set_active(false);
  cpb::FieldDefinition d;
  ASSERT_TRUE(cf_.stub().UpdateFieldDefinition(&ctx, req, &d).ok());
  EXPECT_FALSE(d.active());
  pb::Account got;
  ASSERT_TRUE(h_.GetAccount(rep_, out.id(), &got).ok());
  EXPECT_EQ(got.custom_fields().count("staff"), 0u);
  EXPECT_EQ(got.custom_fields().at("level"), "金牌");
  // Its type cannot change; writing it is rejected while inactive.
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, admin_);
  req.mutable_definition()->set_type(cpb::FIELD_TYPE_TEXT);
  EXPECT_EQ(cf_.stub().UpdateFieldDefinition(&ctx2, req, &d).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::Account patch;
  patch.set_id(out.id());
  (*patch.mutable_custom_fields())["staff"] = "6";
  pb::Account updated;
  EXPECT_THAT(Update(rep_, patch, {"custom_fields"}, &updated).error_message(),
              HasSubstr("account.custom_fields.staff: no such custom field"));
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM custom_field_values WHERE "
                        "JSON_VALUE(values_json, '$.staff') = '5'",
                        "n"),
            1);
}

TEST_F(CustomFieldsAccountsTest, ContactsCarryTheirOwnFields) {
  ASSERT_TRUE(cf_.Define(admin_, FieldDef("contact", "role_in_deal",
                                          cpb::FIELD_TYPE_SINGLE_SELECT,
                                          {"决策人", "影响人", "使用人"}))
                  .ok());
  cpb::FieldDefinition wechat =
      FieldDef("contact", "wechat", cpb::FIELD_TYPE_TEXT);
  wechat.set_pattern("[A-Za-z][A-Za-z0-9_-]{5,19}");
  ASSERT_TRUE(cf_.Define(admin_, wechat).ok());
  pb::Account acc;
  ASSERT_TRUE(Create(rep_, Company(1, {}), &acc).ok());

  pb::AddContactRequest add;
  add.mutable_contact()->set_account_id(acc.id());
  add.mutable_contact()->set_name("王经理");
  add.mutable_contact()->set_phone("13912340678");
  (*add.mutable_contact()->mutable_custom_fields())["wechat"] = "1bad";
  pb::Contact c;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_);
    grpc::Status s = h_.stub().AddContact(&ctx, add, &c);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(),
                HasSubstr("contact.custom_fields.wechat: must match"));
  }
  (*add.mutable_contact()->mutable_custom_fields())["wechat"] = "wang_2026";
  (*add.mutable_contact()->mutable_custom_fields())["role_in_deal"] = "决策人";
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_);
    ASSERT_TRUE(h_.stub().AddContact(&ctx, add, &c).ok());
  }
  EXPECT_EQ(c.custom_fields().at("role_in_deal"), "决策人");
  pb::UpdateContactRequest up;
  up.mutable_contact()->set_id(c.id());
  (*up.mutable_contact()->mutable_custom_fields())["role_in_deal"] = "使用人";
  up.mutable_update_mask()->add_paths("custom_fields.role_in_deal");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_);
    ASSERT_TRUE(h_.stub().UpdateContact(&ctx, up, &c).ok());
  }
  EXPECT_EQ(c.custom_fields().at("role_in_deal"), "使用人");
  EXPECT_EQ(c.custom_fields().at("wechat"), "wang_2026");
  pb::ListContactsRequest lreq;
  lreq.set_account_id(acc.id());
  pb::ListContactsResponse list;
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_);
  ASSERT_TRUE(h_.stub().ListContacts(&ctx, lreq, &list).ok());
  ASSERT_EQ(list.contacts_size(), 1);
  EXPECT_EQ(list.contacts(0).custom_fields().at("role_in_deal"), "使用人");
  // Account fields are not contact fields.
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM custom_field_values WHERE "
                        "entity_type = 'contact'",
                        "n"),
            1);
}

}  // namespace
}  // namespace crm
