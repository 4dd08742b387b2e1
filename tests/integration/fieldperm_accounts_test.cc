// Field-level permissions in accounts across rep, manager, finance and
// admin: hidden, masked and read-only fields in GetAccount, ListAccounts and
// ListContacts; PERMISSION_DENIED naming the field on updates; who may set
// and list the rules.
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

class FieldPermAccountsTest : public ::testing::Test {
 protected:
  FieldPermAccountsTest()
      : cf_(h_.schema().Pool(), h_.identity().shared_clock(),
            {{"account", pb::Account::descriptor()},
             {"contact", pb::Contact::descriptor()}}) {
    admin_ = h_.Admin();
    rep_ = h_.User("rep.a", "e1", "sales_rep").token;
    mgr_ = h_.User("mgr.east", "east", "sales_manager").token;
    fin_ = h_.User("fin.east", "east", "finance").token;
    cpb::FieldDefinition budget =
        FieldDef("account", "budget", cpb::FIELD_TYPE_MONEY);
    EXPECT_TRUE(cf_.Define(admin_, budget).ok());
    cpb::FieldDefinition idcard =
        FieldDef("contact", "idcard", cpb::FIELD_TYPE_TEXT);
    idcard.set_sensitive(true);
    EXPECT_TRUE(cf_.Define(admin_, idcard).ok());

    pb::Account a =
        testing::CompanyDraft("上海星河贸易有限公司", CreditCode(1));
    a.set_industry("贸易");
    (*a.mutable_custom_fields())["budget"] = "5000000";
    account_id_ = h_.CreateAccountOk(rep_, a);
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_);
    pb::AddContactRequest add;
    add.mutable_contact()->set_account_id(account_id_);
    add.mutable_contact()->set_name("王五");
    add.mutable_contact()->set_phone("13812340567");
    add.mutable_contact()->set_email("wang@example.com");
    (*add.mutable_contact()->mutable_custom_fields())["idcard"] =
        "110101199003071234";
    pb::Contact c;
    grpc::Status s = h_.stub().AddContact(&ctx, add, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    contact_id_ = c.id();
  }

  grpc::Status Permit(const std::string& entity, const std::string& field,
                      const std::string& role, cpb::FieldAccess access) {
    return cf_.Permit(admin_, entity, field, role, access);
  }

  pb::Contact Contact(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListContactsRequest req;
    req.set_account_id(account_id_);
    pb::ListContactsResponse out;
    grpc::Status s = h_.stub().ListContacts(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.contacts_size(), 1);
    return out.contacts_size() > 0 ? out.contacts(0) : pb::Contact();
  }
  pb::Account Get(const std::string& token) {
    pb::Account out;
    grpc::Status s = h_.GetAccount(token, account_id_, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  pb::Account Listed(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListAccountsRequest req;
    pb::ListAccountsResponse out;
    grpc::Status s = h_.stub().ListAccounts(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const pb::Account& a : out.accounts())
      if (a.id() == account_id_) return a;
    ADD_FAILURE() << "account not listed";
    return pb::Account();
  }
  grpc::Status UpdateContact(const std::string& token,
                             const std::string& path) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateContactRequest req;
    req.mutable_contact()->set_id(contact_id_);
    req.mutable_contact()->set_phone("13987650012");
    req.mutable_contact()->set_title("采购总监");
    req.mutable_update_mask()->add_paths(path);
    pb::Contact out;
    return h_.stub().UpdateContact(&ctx, req, &out);
  }
  grpc::Status UpdateAccount(const std::string& token,
                             std::vector<std::string> paths) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateAccountRequest req;
    req.mutable_account()->set_id(account_id_);
    req.mutable_account()->set_industry("制造");
    (*req.mutable_account()->mutable_custom_fields())["budget"] = "100";
    for (auto& p : paths) req.mutable_update_mask()->add_paths(p);
    pb::Account out;
    return h_.stub().UpdateAccount(&ctx, req, &out);
  }

  testing::AccountsHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_, rep_, mgr_, fin_;
  int64_t account_id_ = 0, contact_id_ = 0;
};

TEST_F(FieldPermAccountsTest, DefaultsMaskSensitiveFieldsOutsideSales) {
  // Sales roles and admins see contact phones and sensitive custom fields;
  // finance gets them masked.
  for (const std::string& t : {rep_, mgr_, admin_}) {
    pb::Contact c = Contact(t);
    EXPECT_EQ(c.phone(), "+8613812340567");
    EXPECT_EQ(c.custom_fields().at("idcard"), "110101199003071234");
  }
  pb::Contact c = Contact(fin_);
  EXPECT_EQ(c.phone(), "+86138****0567");
  EXPECT_EQ(c.email(), "wan*********.com");
  EXPECT_EQ(c.custom_fields().at("idcard"), "110***********1234");
  EXPECT_EQ(c.name(), "王五");
  // Masked means not writable either.
  grpc::Status s = UpdateContact(fin_, "phone");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("contact.phone: masked"));
}

TEST_F(FieldPermAccountsTest, MaskedPhoneInGetAndListPerRole) {
  ASSERT_TRUE(
      Permit("contact", "phone", "sales_rep", cpb::FIELD_ACCESS_MASKED).ok());
  ASSERT_TRUE(
      Permit("contact", "phone", "sales_manager", cpb::FIELD_ACCESS_READ_ONLY)
          .ok());
  EXPECT_EQ(Contact(rep_).phone(), "+86138****0567");
  EXPECT_EQ(Contact(mgr_).phone(), "+8613812340567");
  EXPECT_EQ(Contact(admin_).phone(), "+8613812340567");
  // Accounts: budget masked for reps in Get and List; hidden for managers.
  ASSERT_TRUE(Permit("account", "custom_fields.budget", "sales_rep",
                     cpb::FIELD_ACCESS_MASKED)
                  .ok());
  ASSERT_TRUE(Permit("account", "custom_fields.budget", "sales_manager",
                     cpb::FIELD_ACCESS_HIDDEN)
                  .ok());
  ASSERT_TRUE(
      Permit("account", "industry", "sales_rep", cpb::FIELD_ACCESS_HIDDEN)
          .ok());
  for (const pb::Account& a : {Get(rep_), Listed(rep_)}) {
    EXPECT_EQ(a.custom_fields().at("budget"), "5******");
    EXPECT_EQ(a.industry(), "");
    EXPECT_EQ(a.name(), "上海星河贸易有限公司");
  }
  for (const pb::Account& a : {Get(mgr_), Listed(mgr_)}) {
    EXPECT_EQ(a.custom_fields().count("budget"), 0u);
    EXPECT_EQ(a.industry(), "贸易");
  }
  for (const pb::Account& a : {Get(admin_), Listed(admin_)}) {
    EXPECT_EQ(a.custom_fields().at("budget"), "5000000");
    EXPECT_EQ(a.industry(), "贸易");
  }
  // Resetting to the default shows it again.
  ASSERT_TRUE(Permit("account", "custom_fields.budget", "sales_rep",
                     cpb::FIELD_ACCESS_UNSPECIFIED)
                  .ok());
  EXPECT_EQ(Get(rep_).custom_fields().at("budget"), "5000000");
}

TEST_F(FieldPermAccountsTest, UpdatingAReadOnlyFieldIsDeniedNamingIt) {
  ASSERT_TRUE(
      Permit("contact", "phone", "sales_rep", cpb::FIELD_ACCESS_READ_ONLY)
          .ok());
  ASSERT_TRUE(
      Permit("contact", "phone", "sales_manager", cpb::FIELD_ACCESS_MASKED)
          .ok());
  grpc::Status s = UpdateContact(rep_, "phone");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("contact.phone: read-only"));
  s = UpdateContact(mgr_, "phone");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("contact.phone: masked"));
  EXPECT_TRUE(UpdateContact(rep_, "title").ok());  // other fields stay open
  EXPECT_TRUE(UpdateContact(admin_, "phone").ok());
  EXPECT_EQ(Contact(admin_).phone(), "+8613987650012");

  ASSERT_TRUE(Permit("account", "custom_fields.budget", "sales_rep",
                     cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  ASSERT_TRUE(Permit("account", "industry", "sales_manager",
                     cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  s = UpdateAccount(rep_, {"custom_fields"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("account.custom_fields.budget"));
  s = UpdateAccount(rep_, {"industry", "custom_fields.budget"});
  EXPECT_THAT(s.error_message(), HasSubstr("account.custom_fields.budget"));
  EXPECT_TRUE(UpdateAccount(rep_, {"industry"}).ok());
  s = UpdateAccount(mgr_, {"industry"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("account.industry: read-only"));
  EXPECT_TRUE(UpdateAccount(mgr_, {"custom_fields.budget"}).ok());
  EXPECT_TRUE(UpdateAccount(admin_, {"industry", "custom_fields"}).ok());
  EXPECT_EQ(Get(admin_).custom_fields().at("budget"), "100");

  // Creating with a read-only field is denied too.
  pb::Account a = testing::CompanyDraft("杭州某某科技有限公司", CreditCode(2));
  (*a.mutable_custom_fields())["budget"] = "1";
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_);
  pb::CreateAccountRequest req;
  *req.mutable_account() = a;
  req.set_ignore_similar(true);
  pb::CreateAccountResponse out;
  s = h_.stub().CreateAccount(&ctx, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("account.custom_fields.budget"));
}

TEST_F(FieldPermAccountsTest, OnlyAdminsSetRulesAndBadRulesAreNamed) {
  EXPECT_EQ(cf_.Permit(rep_, "contact", "phone", "sales_rep",
                       cpb::FIELD_ACCESS_HIDDEN)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(cf_.Permit(mgr_, "contact", "phone", "sales_rep",
                       cpb::FIELD_ACCESS_HIDDEN)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  struct Bad {
    std::string entity, field, role, expect;
  };
  for (const Bad& b : std::vector<Bad>{
           {"lead", "phone", "sales_rep", "permission.entity_type"},
           {"contact", "salary", "sales_rep", "permission.field"},
           {"contact", "custom_fields.nope", "sales_rep", "permission.field"},
           {"contact", "phone", "intern", "permission.role"},
           {"contact", "phone", "admin", "permission.role"},
       }) {
    grpc::Status s =
        cf_.Permit(admin_, b.entity, b.field, b.role, cpb::FIELD_ACCESS_HIDDEN);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.expect;
    EXPECT_THAT(s.error_message(), HasSubstr(b.expect));
  }

  ASSERT_TRUE(
      Permit("contact", "phone", "sales_rep", cpb::FIELD_ACCESS_MASKED).ok());
  auto list = [&](const std::string& token,
                  cpb::ListFieldPermissionsResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    cpb::ListFieldPermissionsRequest req;
    req.set_entity_type("contact");
    return cf_.stub().ListFieldPermissions(&ctx, req, out);
  };
  cpb::ListFieldPermissionsResponse out;
  EXPECT_EQ(list(rep_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(list(mgr_, &out).ok());
  int seen = 0;
  for (const cpb::FieldPermission& fp : out.permissions()) {
    if (fp.field() == "phone" && fp.role() == "sales_rep") {
      EXPECT_EQ(fp.access(), cpb::FIELD_ACCESS_MASKED);
      EXPECT_FALSE(fp.is_default());
      ++seen;
    }
    if (fp.field() == "phone" && fp.role() == "finance") {
      EXPECT_EQ(fp.access(), cpb::FIELD_ACCESS_MASKED);
      EXPECT_TRUE(fp.is_default());
      ++seen;
    }
    if (fp.field() == "custom_fields.idcard" && fp.role() == "support_agent") {
      EXPECT_EQ(fp.access(), cpb::FIELD_ACCESS_MASKED);
      ++seen;
    }
    if (fp.field() == "name" && fp.role() == "sales_rep") {
      EXPECT_EQ(fp.access(), cpb::FIELD_ACCESS_EDITABLE);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 4);
}

}  // namespace
}  // namespace crm
