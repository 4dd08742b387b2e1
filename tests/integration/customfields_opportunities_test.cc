// Custom fields and field-level permissions in opportunities (entity type
// "opportunity"): the shared CustomFieldService on the opportunities schema,
// values validated on create/update with the built-in INVALID_ARGUMENT
// shape, returned by every RPC that returns an opportunity, select filters
// in ListOpportunities, hidden / masked / read-only rules across rep,
// manager, support manager and admin, and the audit entries value changes
// leave.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/customfields_fixture.h"
#include "tests/testing/opportunities_harness.h"

namespace crm {
namespace {

namespace pb = crm::opportunities::v1;
namespace cpb = crm::customfields::v1;
using testing::AsMap;
using ::testing::HasSubstr;
using testing::OpportunitiesHarness;

class CustomFieldsOpportunitiesTest : public ::testing::Test {
 protected:
  CustomFieldsOpportunitiesTest()
      : cf_(h_.schema().Pool(), h_.shared_clock(),
            {{"opportunity", pb::Opportunity::descriptor()}}) {
    admin_ = h_.Admin();
    rep_ = h_.User("rep.a", "e1", "sales_rep");
    mgr_ = h_.User("mgr.east", "east", "sales_manager").token;
    support_ = h_.User("sup.root", "root", "support_manager").token;
    account_ = h_.Account(rep_.token, "星河贸易有限公司");
    testing::DefineStandardFields(cf_, admin_, "opportunity");
  }

  grpc::Status Create(const std::string& token,
                      const std::map<std::string, std::string>& values,
                      pb::Opportunity* out, const std::string& name = "大单") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateOpportunityRequest req;
    req.mutable_opportunity()->set_account_id(account_);
    req.mutable_opportunity()->set_name(name);
    req.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
    req.mutable_opportunity()->mutable_amount()->set_amount_minor(880000);
    for (const auto& [k, v] : values)
      (*req.mutable_opportunity()->mutable_custom_fields())[k] = v;
    return h_.stub().CreateOpportunity(&ctx, req, out);
  }
  int64_t CreateOk(const std::map<std::string, std::string>& values,
                   const std::string& name = "大单") {
    pb::Opportunity out;
    grpc::Status s = Create(rep_.token, values, &out, name);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }
  grpc::Status Update(const std::string& token, int64_t id,
                      const std::map<std::string, std::string>& values,
                      const std::vector<std::string>& paths,
                      pb::Opportunity* out = nullptr) {
    pb::Opportunity o;
    o.set_id(id);
    for (const auto& [k, v] : values) (*o.mutable_custom_fields())[k] = v;
    return h_.Update(token, o, paths, out);
  }
  pb::ListOpportunitiesResponse List(
      const std::string& token,
      const std::map<std::string, std::string>& filter,
      grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListOpportunitiesRequest req;
    for (const auto& [k, v] : filter)
      (*req.mutable_custom_field_filter())[k] = v;
    pb::ListOpportunitiesResponse out;
    grpc::Status s = h_.stub().ListOpportunities(&ctx, req, &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  pb::Opportunity Get(const std::string& token, int64_t id) {
    pb::Opportunity out;
    grpc::Status s = h_.Get(token, id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // The one opportunity `token` lists.
  pb::Opportunity Listed(const std::string& token) {
    pb::ListOpportunitiesResponse r = List(token, {});
    EXPECT_EQ(r.opportunities_size(), 1);
    return r.opportunities_size() > 0 ? r.opportunities(0) : pb::Opportunity();
  }

  OpportunitiesHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_, mgr_, support_;
  testing::AccountsHarness::Login rep_;
  int64_t account_ = 0;
};

TEST_F(CustomFieldsOpportunitiesTest, EveryFieldTypeRejectsBadValuesByName) {
  for (const testing::BadValue& b : testing::BadValues()) {
    pb::Opportunity out;
    grpc::Status s = Create(rep_.token, {{b.key, b.value}}, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.key;
    EXPECT_EQ(s.error_message(), testing::FieldError("opportunity", b));
  }
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM opportunities"), 0);
  // The same on update.
  const int64_t id = CreateOk({});
  for (const testing::BadValue& b : testing::BadValues()) {
    grpc::Status s =
        Update(rep_.token, id, {{b.key, b.value}}, {"custom_fields"});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.key;
    EXPECT_EQ(s.error_message(), testing::FieldError("opportunity", b));
  }
  EXPECT_TRUE(AsMap(Get(rep_.token, id).custom_fields()).empty());
  // A required field must be given on create and cannot be cleared.
  cpb::FieldDefinition stage_owner = testing::FieldDef(
      "opportunity", "region", cpb::FIELD_TYPE_SINGLE_SELECT, {"华东", "华北"});
  stage_owner.set_required(true);
  ASSERT_TRUE(cf_.Define(admin_, stage_owner).ok());
  pb::Opportunity out;
  grpc::Status s = Create(rep_.token, {}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "opportunity.custom_fields.region: required");
  ASSERT_TRUE(Create(rep_.token, {{"region", "华东"}}, &out).ok());
  s = Update(rep_.token, out.id(), {}, {"custom_fields.region"});
  EXPECT_EQ(s.error_message(), "opportunity.custom_fields.region: required");
}

TEST_F(CustomFieldsOpportunitiesTest, ValuesRoundTripThroughEveryRpc) {
  pb::Opportunity created;
  ASSERT_TRUE(Create(rep_.token, testing::GoodValues(), &created).ok());
  EXPECT_EQ(AsMap(created.custom_fields()), testing::NormalizedValues());
  EXPECT_EQ(AsMap(Get(rep_.token, created.id()).custom_fields()),
            testing::NormalizedValues());
  EXPECT_EQ(AsMap(Listed(rep_.token).custom_fields()),
            testing::NormalizedValues());
  // Update one key (the others stay), clear one, mix with a built-in.
  pb::Opportunity updated;
  ASSERT_TRUE(Update(rep_.token, created.id(), {{"grade", "银牌"}},
                     {"custom_fields.grade"}, &updated)
                  .ok());
  EXPECT_EQ(updated.custom_fields().at("grade"), "银牌");
  EXPECT_EQ(updated.custom_fields().at("score"), "12.5");
  ASSERT_TRUE(
      Update(rep_.token, created.id(), {}, {"custom_fields.score"}, &updated)
          .ok());
  EXPECT_EQ(updated.custom_fields().count("score"), 0u);
  pb::Opportunity both;
  both.set_id(created.id());
  both.set_description("客户预算已确认");
  (*both.mutable_custom_fields())["code"] = "XYZ99";
  ASSERT_TRUE(
      h_.Update(rep_.token, both, {"description", "custom_fields"}, &updated)
          .ok());
  EXPECT_EQ(updated.description(), "客户预算已确认");
  EXPECT_EQ(updated.custom_fields().at("code"), "XYZ99");
  // The verbs return them too.
  pb::Opportunity moved;
  ASSERT_TRUE(h_.Move(rep_.token, created.id(), "needs", "", &moved).ok());
  EXPECT_EQ(moved.custom_fields().at("grade"), "银牌");
  EXPECT_EQ(moved.custom_fields().at("code"), "XYZ99");
  // A retried create returns the first values.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  pb::CreateOpportunityRequest req;
  req.mutable_opportunity()->set_account_id(account_);
  req.mutable_opportunity()->set_name("重试");
  (*req.mutable_opportunity()->mutable_custom_fields())["grade"] = "铜牌";
  req.set_request_id("cf-retry-1");
  pb::Opportunity first, second;
  ASSERT_TRUE(h_.stub().CreateOpportunity(&ctx, req, &first).ok());
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, rep_.token);
  ASSERT_TRUE(h_.stub().CreateOpportunity(&ctx2, req, &second).ok());
  EXPECT_EQ(second.id(), first.id());
  EXPECT_EQ(second.custom_fields().at("grade"), "铜牌");
}

TEST_F(CustomFieldsOpportunitiesTest, SelectFiltersUseTheOptionIndex) {
  const char* grades[] = {"金牌", "银牌", "铜牌"};
  std::vector<int64_t> gold;
  for (int i = 0; i < 6; ++i) {
    std::map<std::string, std::string> v = {{"grade", grades[i % 3]}};
    if (i % 2 == 0) v["tags"] = "外贸,制造";
    const int64_t id = CreateOk(v, absl::StrCat("商机", i));
    if (i % 3 == 0) gold.push_back(id);
  }
  pb::ListOpportunitiesResponse r = List(rep_.token, {{"grade", "金牌"}});
  ASSERT_EQ(r.opportunities_size(), 2);
  EXPECT_EQ(r.opportunities(0).id(), gold[0]);
  EXPECT_EQ(List(rep_.token, {{"tags", "外贸"}}).opportunities_size(), 3);
  // i = 0 only: gold and tagged.
  EXPECT_EQ(List(rep_.token, {{"tags", "制造"}, {"grade", "金牌"}})
                .opportunities_size(),
            1);
  EXPECT_EQ(List(rep_.token, {{"tags", "国企"}}).opportunities_size(), 0);
  // Data scope still holds; a manager above sees them.
  std::string other = h_.User("rep.n", "n1", "sales_rep").token;
  EXPECT_EQ(List(other, {{"grade", "金牌"}}).opportunities_size(), 0);
  EXPECT_EQ(List(mgr_, {{"grade", "金牌"}}).opportunities_size(), 2);
  // A changed value moves the record in the index.
  ASSERT_TRUE(
      Update(rep_.token, gold[0], {{"grade", "铜牌"}}, {"custom_fields"}).ok());
  EXPECT_EQ(List(rep_.token, {{"grade", "金牌"}}).opportunities_size(), 1);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM custom_field_options WHERE "
                        "entity_type = 'opportunity' AND field_key = 'grade' "
                        "AND option_value = '铜牌'"),
            3);
  grpc::Status s;
  List(rep_.token, {{"grade", "钻石"}}, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("custom_field_filter.grade: must be one of"));
  List(rep_.token, {{"score", "12"}}, &s);
  EXPECT_EQ(s.error_message(),
            "custom_field_filter.score: only select fields can be filtered");
}

TEST_F(CustomFieldsOpportunitiesTest,
       PermissionsApplyPerRoleInGetListAndVerbs) {
  const int64_t id = CreateOk(testing::GoodValues());
  // Rules: reps cannot see `code` and cannot change `score` or the name;
  // managers see `budget` masked.
  ASSERT_TRUE(cf_.Permit(admin_, "opportunity", "custom_fields.code",
                         "sales_rep", cpb::FIELD_ACCESS_HIDDEN)
                  .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "opportunity", "custom_fields.score",
                         "sales_rep", cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "opportunity", "custom_fields.budget",
                         "sales_manager", cpb::FIELD_ACCESS_MASKED)
                  .ok());

  for (const pb::Opportunity& o : {Get(rep_.token, id), Listed(rep_.token)}) {
    EXPECT_EQ(o.custom_fields().count("code"), 0u);
    EXPECT_EQ(o.custom_fields().at("score"), "12.5");
    EXPECT_EQ(o.custom_fields().at("budget"), "150000");
    EXPECT_EQ(o.custom_fields().at("secret"), "13812345678");
    EXPECT_EQ(o.amount().amount_minor(), 880000);
  }
  for (const pb::Opportunity& o : {Get(mgr_, id), Listed(mgr_)}) {
    EXPECT_EQ(o.custom_fields().at("code"), "ABC12");
    EXPECT_EQ(o.custom_fields().at("budget"), "1*****");
    EXPECT_EQ(o.custom_fields().at("secret"), "13812345678");
  }
  // Sensitive fields are masked for a role outside sales: the amount
  // (Money: cleared) and the sensitive custom field.
  for (const pb::Opportunity& o : {Get(support_, id), Listed(support_)}) {
    EXPECT_FALSE(o.has_amount());
    EXPECT_EQ(o.custom_fields().at("secret"), "138****5678");
    EXPECT_EQ(o.custom_fields().at("code"), "ABC12");
    EXPECT_EQ(o.name(), "大单");
  }
  for (const pb::Opportunity& o : {Get(admin_, id), Listed(admin_)}) {
    EXPECT_EQ(AsMap(o.custom_fields()), testing::NormalizedValues());
    EXPECT_EQ(o.amount().amount_minor(), 880000);
  }
  // The verbs apply the same rules to what they return.
  pb::Opportunity moved;
  ASSERT_TRUE(h_.Move(rep_.token, id, "needs", "", &moved).ok());
  EXPECT_EQ(moved.custom_fields().count("code"), 0u);

  // Writes: read-only and hidden fields are PERMISSION_DENIED by name.
  grpc::Status s = Update(rep_.token, id, {{"score", "50"}}, {"custom_fields"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(),
            "opportunity.custom_fields.score: read-only for your role, it "
            "cannot be changed");
  s = Update(rep_.token, id, {{"code", "QQQ11"}}, {"custom_fields.code"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("opportunity.custom_fields.code: hidden"));
  // A create that sets a read-only field is refused the same way.
  pb::Opportunity out;
  s = Create(rep_.token, {{"score", "3"}}, &out, "另一个");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("opportunity.custom_fields.score: read-only"));
  // Built-in fields the same.
  ASSERT_TRUE(cf_.Permit(admin_, "opportunity", "name", "sales_rep",
                         cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  pb::Opportunity renamed;
  renamed.set_id(id);
  renamed.set_name("改名");
  s = h_.Update(rep_.token, renamed, {"name"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("opportunity.name: read-only"));
  s = Update(mgr_, id, {{"budget", "1"}}, {"custom_fields.budget"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("opportunity.custom_fields.budget: masked"));
  // Nothing changed; the manager and the admin may write what reps may not.
  EXPECT_EQ(Get(admin_, id).custom_fields().at("score"), "12.5");
  ASSERT_TRUE(Update(mgr_, id, {{"score", "50"}}, {"custom_fields"}).ok());
  ASSERT_TRUE(h_.Update(admin_, renamed, {"name"}).ok());
  EXPECT_EQ(Get(admin_, id).custom_fields().at("score"), "50");
  EXPECT_EQ(Get(admin_, id).name(), "改名");
  // Rep still sees the new score (read-only is readable).
  EXPECT_EQ(Get(rep_.token, id).custom_fields().at("score"), "50");
}

TEST_F(CustomFieldsOpportunitiesTest, ValueChangesAreAudited) {
  const int64_t id = CreateOk(testing::GoodValues());
  ASSERT_TRUE(Update(rep_.token, id,
                     {{"grade", "银牌"}, {"secret", "13900001111"}},
                     {"custom_fields"})
                  .ok());
  const std::string where = absl::StrCat(
      "FROM audit_log WHERE entity_type = 'opportunity' AND entity_id = '", id,
      "' AND action = 'update'");
  // Create's values, then the update: two entries naming the fields, by
  // the rep, in the opportunity owner's scope.
  EXPECT_EQ(
      h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                               " AND changes LIKE '%custom_fields.grade%'")),
      2);
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                     " AND actor_id = ", rep_.user_id,
                                     " AND owner_id = ", rep_.user_id,
                                     " AND changes LIKE '%custom_fields.%'")),
            2);
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                     " AND changes LIKE '%\"o\":\"金牌\"%' AND "
                                     "changes LIKE '%\"n\":\"银牌\"%'")),
            1);
  // The sensitive value is masked in the log, never stored raw.
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                     " AND changes LIKE '%139****1111%'")),
            1);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM audit_log WHERE changes "
                        "LIKE '%13900001111%' OR changes LIKE '%13812345678%'"),
            0);
  // A write that changes nothing leaves no entry.
  ASSERT_TRUE(
      Update(rep_.token, id, {{"grade", "银牌"}}, {"custom_fields"}).ok());
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                     " AND changes LIKE '%custom_fields.%'")),
            2);
}

}  // namespace
}  // namespace crm
