// Custom fields and field-level permissions on contracts (orders, entity
// type "contract"): values validated on create/update with the built-in
// INVALID_ARGUMENT shape and written in the contract's transaction, returned
// by every RPC that returns a contract, select filters in ListContracts, the
// contract amount masked for roles without the right (support) but not for
// finance, hidden / read-only rules across rep, manager and admin, and the
// audit entries value changes leave.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/customfields_fixture.h"
#include "tests/testing/orders_harness.h"

namespace crm {
namespace {

namespace pb = crm::orders::v1;
namespace cpb = crm::customfields::v1;
using testing::AsMap;
using ::testing::HasSubstr;
using testing::OrdersHarness;

class CustomFieldsOrdersTest : public ::testing::Test {
 protected:
  CustomFieldsOrdersTest()
      : cf_(h_.schema().Pool(), h_.accounts().identity().shared_clock(),
            {{"contract", pb::Contract::descriptor()}}) {
    admin_ = h_.Admin();
    rep_ = h_.User("rep.a", "e1", "sales_rep");
    mgr_ = h_.User("mgr.east", "east", "sales_manager").token;
    fin_ = h_.Finance();
    support_ = h_.User("sup.root", "root", "support_manager").token;
    account_ = h_.Account(rep_.token, "星河贸易有限公司");
    testing::DefineStandardFields(cf_, admin_, "contract");
  }

  pb::Contract Draft(const std::map<std::string, std::string>& values,
                     int64_t amount = 120000) {
    pb::Contract d = OrdersHarness::Draft(account_, amount, 3);
    for (const auto& [k, v] : values) (*d.mutable_custom_fields())[k] = v;
    return d;
  }
  int64_t CreateOk(const std::map<std::string, std::string>& values) {
    pb::Contract out;
    grpc::Status s = h_.Create(rep_.token, Draft(values), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }
  grpc::Status Update(const std::string& token, const pb::Contract& c,
                      const std::vector<std::string>& paths,
                      pb::Contract* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateContractRequest req;
    *req.mutable_contract() = c;
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    pb::Contract ignored;
    return h_.stub().UpdateContract(&ctx, req, out ? out : &ignored);
  }
  grpc::Status UpdateValues(const std::string& token, int64_t id,
                            const std::map<std::string, std::string>& values,
                            const std::vector<std::string>& paths,
                            pb::Contract* out = nullptr) {
    pb::Contract c;
    c.set_id(id);
    for (const auto& [k, v] : values) (*c.mutable_custom_fields())[k] = v;
    return Update(token, c, paths, out);
  }
  pb::ListContractsResponse List(
      const std::string& token,
      const std::map<std::string, std::string>& filter,
      grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListContractsRequest req;
    for (const auto& [k, v] : filter)
      (*req.mutable_custom_field_filter())[k] = v;
    pb::ListContractsResponse out;
    grpc::Status s = h_.stub().ListContracts(&ctx, req, &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  pb::Contract Get(const std::string& token, int64_t id) {
    pb::Contract out;
    grpc::Status s = h_.Get(token, id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  pb::Contract Listed(const std::string& token) {
    pb::ListContractsResponse r = List(token, {});
    EXPECT_EQ(r.contracts_size(), 1);
    return r.contracts_size() > 0 ? r.contracts(0) : pb::Contract();
  }

  OrdersHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_, mgr_, fin_, support_;
  OrdersHarness::Login rep_;
  int64_t account_ = 0;
};

TEST_F(CustomFieldsOrdersTest, EveryFieldTypeRejectsBadValuesByName) {
  for (const testing::BadValue& b : testing::BadValues()) {
    pb::Contract out;
    grpc::Status s = h_.Create(rep_.token, Draft({{b.key, b.value}}), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.key;
    EXPECT_EQ(s.error_message(), testing::FieldError("contract", b));
  }
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM contracts"), 0);
  const int64_t id = CreateOk({});
  for (const testing::BadValue& b : testing::BadValues()) {
    grpc::Status s =
        UpdateValues(rep_.token, id, {{b.key, b.value}}, {"custom_fields"});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.key;
    EXPECT_EQ(s.error_message(), testing::FieldError("contract", b));
  }
  EXPECT_TRUE(AsMap(Get(rep_.token, id).custom_fields()).empty());
  cpb::FieldDefinition channel = testing::FieldDef(
      "contract", "channel", cpb::FIELD_TYPE_SINGLE_SELECT, {"直签", "代理"});
  channel.set_required(true);
  ASSERT_TRUE(cf_.Define(admin_, channel).ok());
  // A required field may wait in a draft (MarkWon's create_contract cannot
  // know it) but must be there before approval, and cannot be cleared.
  pb::Contract draft;
  ASSERT_TRUE(h_.Create(rep_.token, Draft({}), &draft).ok());
  grpc::Status s = h_.Submit(rep_.token, draft.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "contract.custom_fields.channel: required before approval");
  ASSERT_TRUE(UpdateValues(rep_.token, draft.id(), {{"channel", "直签"}},
                           {"custom_fields"})
                  .ok());
  s = UpdateValues(rep_.token, draft.id(), {}, {"custom_fields.channel"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "contract.custom_fields.channel: required");
  pb::Contract submitted;
  ASSERT_TRUE(h_.Submit(rep_.token, draft.id(), &submitted).ok());
  EXPECT_EQ(submitted.custom_fields().at("channel"), "直签");
}

TEST_F(CustomFieldsOrdersTest, ValuesRoundTripThroughEveryRpc) {
  pb::Contract created;
  ASSERT_TRUE(
      h_.Create(rep_.token, Draft(testing::GoodValues()), &created, "cf-1")
          .ok());
  EXPECT_EQ(AsMap(created.custom_fields()), testing::NormalizedValues());
  EXPECT_EQ(AsMap(Get(rep_.token, created.id()).custom_fields()),
            testing::NormalizedValues());
  EXPECT_EQ(AsMap(Listed(rep_.token).custom_fields()),
            testing::NormalizedValues());
  // A retry returns the stored values, not a second contract.
  pb::Contract again;
  ASSERT_TRUE(
      h_.Create(rep_.token, Draft({{"grade", "铜牌"}}), &again, "cf-1").ok());
  EXPECT_EQ(again.id(), created.id());
  EXPECT_EQ(AsMap(again.custom_fields()), testing::NormalizedValues());
  // Update a key, clear one, and a built-in with a custom one.
  pb::Contract updated;
  ASSERT_TRUE(UpdateValues(rep_.token, created.id(), {{"grade", "银牌"}},
                           {"custom_fields.grade"}, &updated)
                  .ok());
  EXPECT_EQ(updated.custom_fields().at("grade"), "银牌");
  EXPECT_EQ(updated.custom_fields().at("budget"), "150000");
  ASSERT_TRUE(UpdateValues(rep_.token, created.id(), {},
                           {"custom_fields.budget"}, &updated)
                  .ok());
  EXPECT_EQ(updated.custom_fields().count("budget"), 0u);
  pb::Contract both;
  both.set_id(created.id());
  both.set_title("年度框架合同");
  (*both.mutable_custom_fields())["code"] = "XYZ99";
  ASSERT_TRUE(
      Update(rep_.token, both, {"title", "custom_fields"}, &updated).ok());
  EXPECT_EQ(updated.title(), "年度框架合同");
  EXPECT_EQ(updated.custom_fields().at("code"), "XYZ99");
  // The approval verbs return them; once submitted the contract (its
  // custom fields included) is frozen like its terms.
  pb::Contract submitted;
  ASSERT_TRUE(h_.Submit(rep_.token, created.id(), &submitted).ok());
  EXPECT_EQ(submitted.custom_fields().at("code"), "XYZ99");
  grpc::Status s = UpdateValues(rep_.token, created.id(), {{"grade", "金牌"}},
                                {"custom_fields"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  pb::Contract approved;
  ASSERT_TRUE(h_.Approve(mgr_, created.id(), 0, &approved).ok());
  EXPECT_EQ(approved.custom_fields().at("grade"), "银牌");
}

TEST_F(CustomFieldsOrdersTest, SelectFiltersUseTheOptionIndex) {
  const char* grades[] = {"金牌", "银牌", "铜牌"};
  std::vector<int64_t> gold;
  for (int i = 0; i < 6; ++i) {
    std::map<std::string, std::string> v = {{"grade", grades[i % 3]}};
    if (i % 2 == 0) v["tags"] = "外贸,制造";
    const int64_t id = CreateOk(v);
    if (i % 3 == 0) gold.push_back(id);
  }
  pb::ListContractsResponse r = List(rep_.token, {{"grade", "金牌"}});
  ASSERT_EQ(r.contracts_size(), 2);
  EXPECT_EQ(r.contracts(0).id(), gold[0]);
  EXPECT_EQ(List(rep_.token, {{"tags", "外贸"}}).contracts_size(), 3);
  EXPECT_EQ(
      List(rep_.token, {{"tags", "制造"}, {"grade", "金牌"}}).contracts_size(),
      1);
  std::string other = h_.User("rep.n", "n1", "sales_rep").token;
  EXPECT_EQ(List(other, {{"grade", "金牌"}}).contracts_size(), 0);
  EXPECT_EQ(List(mgr_, {{"grade", "金牌"}}).contracts_size(), 2);
  ASSERT_TRUE(
      UpdateValues(rep_.token, gold[0], {{"grade", "铜牌"}}, {"custom_fields"})
          .ok());
  EXPECT_EQ(List(rep_.token, {{"grade", "金牌"}}).contracts_size(), 1);
  grpc::Status s;
  List(rep_.token, {{"grade", "钻石"}}, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("custom_field_filter.grade: must be one of"));
  List(rep_.token, {{"due", "2026-01-01"}}, &s);
  EXPECT_EQ(s.error_message(),
            "custom_field_filter.due: only select fields can be filtered");
}

TEST_F(CustomFieldsOrdersTest, AmountIsMaskedForRolesWithoutTheRight) {
  const int64_t id = CreateOk(testing::GoodValues());
  // Support has no right to contract money: amount, installments and the
  // received total are left out (Money cannot be shown half), the sensitive
  // custom field masked. Finance, sales and admin see them.
  for (const pb::Contract& c : {Get(support_, id), Listed(support_)}) {
    EXPECT_EQ(c.id(), id);
    EXPECT_FALSE(c.has_amount());
    EXPECT_EQ(c.installments_size(), 0);
    EXPECT_FALSE(c.has_received());
    EXPECT_EQ(c.custom_fields().at("secret"), "138****5678");
    EXPECT_EQ(c.custom_fields().at("grade"), "金牌");
    EXPECT_EQ(c.account_id(), account_);
  }
  for (const std::string& token : {rep_.token, mgr_, fin_, admin_}) {
    for (const pb::Contract& c : {Get(token, id), Listed(token)}) {
      EXPECT_EQ(c.amount().amount_minor(), 120000);
      EXPECT_EQ(c.installments_size(), 3);
      // Finance's right covers contract money, not sensitive custom fields.
      EXPECT_EQ(c.custom_fields().at("secret"),
                token == fin_ ? "138****5678" : "13812345678");
    }
  }
  // Masked is not writable, even through a rule-free built-in path.
  ASSERT_TRUE(cf_.Permit(admin_, "contract", "amount", "sales_rep",
                         cpb::FIELD_ACCESS_MASKED)
                  .ok());
  EXPECT_FALSE(Get(rep_.token, id).has_amount());
  pb::Contract c;
  c.set_id(id);
  c.mutable_amount()->set_currency_code("CNY");
  c.mutable_amount()->set_amount_minor(1);
  grpc::Status s = Update(rep_.token, c, {"amount"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(),
            "contract.amount: masked for your role, it cannot be changed");
  // The verbs present the contract the same way.
  pb::Contract submitted;
  ASSERT_TRUE(h_.Submit(mgr_, id, &submitted).ok());
  EXPECT_EQ(submitted.amount().amount_minor(), 120000);
}

TEST_F(CustomFieldsOrdersTest, PermissionRulesAcrossRepManagerAndAdmin) {
  const int64_t id = CreateOk(testing::GoodValues());
  ASSERT_TRUE(cf_.Permit(admin_, "contract", "custom_fields.code", "sales_rep",
                         cpb::FIELD_ACCESS_HIDDEN)
                  .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "contract", "custom_fields.score", "sales_rep",
                         cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "contract", "title", "sales_manager",
                         cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  for (const pb::Contract& c : {Get(rep_.token, id), Listed(rep_.token)}) {
    EXPECT_EQ(c.custom_fields().count("code"), 0u);
    EXPECT_EQ(c.custom_fields().at("score"), "12.5");
  }
  for (const std::string& token : {mgr_, admin_}) {
    EXPECT_EQ(Get(token, id).custom_fields().at("code"), "ABC12");
    EXPECT_EQ(Listed(token).custom_fields().at("code"), "ABC12");
  }
  grpc::Status s =
      UpdateValues(rep_.token, id, {{"score", "99"}}, {"custom_fields.score"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(),
            "contract.custom_fields.score: read-only for your role, it "
            "cannot be changed");
  pb::Contract out;
  s = h_.Create(rep_.token, Draft({{"code", "QQQ11"}}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("contract.custom_fields.code: hidden"));
  pb::Contract retitled;
  retitled.set_id(id);
  retitled.set_title("新标题");
  s = Update(mgr_, retitled, {"title"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("contract.title: read-only"));
  // A record outside the caller's scope is NOT_FOUND first, whatever the
  // field.
  std::string other = h_.User("rep.n", "n1", "sales_rep").token;
  s = UpdateValues(other, id, {{"score", "99"}}, {"custom_fields.score"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // Who may, may.
  ASSERT_TRUE(
      UpdateValues(mgr_, id, {{"score", "99"}}, {"custom_fields"}).ok());
  ASSERT_TRUE(Update(rep_.token, retitled, {"title"}).ok());
  ASSERT_TRUE(
      UpdateValues(admin_, id, {{"code", "ZZZ00"}}, {"custom_fields"}).ok());
  pb::Contract after = Get(admin_, id);
  EXPECT_EQ(after.custom_fields().at("score"), "99");
  EXPECT_EQ(after.custom_fields().at("code"), "ZZZ00");
  EXPECT_EQ(after.title(), "新标题");
}

TEST_F(CustomFieldsOrdersTest, ValueChangesAreAuditedInTheSameTransaction) {
  const int64_t id = CreateOk(testing::GoodValues());
  ASSERT_TRUE(
      UpdateValues(rep_.token, id, {{"grade", "银牌"}}, {"custom_fields"})
          .ok());
  const std::string where = absl::StrCat(
      "FROM audit_log WHERE entity_type = 'contract' AND entity_id = '", id,
      "' AND changes LIKE '%custom_fields.grade%'");
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                     " AND actor_id = ", rep_.user_id,
                                     " AND owner_id = ", rep_.user_id)),
            2);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM audit_log WHERE changes "
                        "LIKE '%13812345678%'"),
            0);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM audit_log WHERE "
                        "entity_type = 'contract' AND changes LIKE "
                        "'%138****5678%'"),
            1);
}

}  // namespace
}  // namespace crm
