// Custom fields and field permissions in leads: values validated on
// CreateLead/UpdateLead, returned by Get/List, List filtered by select
// fields, lead phones masked per role in Get and List, read-only fields
// refused on update.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/integration/customfields_host.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
namespace cpb = crm::customfields::v1;
using testing::CompanyLead;
using testing::FieldDef;
using ::testing::HasSubstr;

class CustomFieldsLeadsTest : public ::testing::Test {
 protected:
  CustomFieldsLeadsTest()
      : cf_(h_.schema().Pool(), h_.accounts().identity().shared_clock(),
            {{"lead", pb::Lead::descriptor()}}) {
    admin_ = h_.Admin();
    rep_ = h_.User("rep_e1", "e1", "sales_rep").token;
    mgr_ = h_.User("mgr_east", "east", "sales_manager").token;
    cpb::FieldDefinition source =
        FieldDef("lead", "budget_level", cpb::FIELD_TYPE_SINGLE_SELECT,
                 {"高", "中", "低"});
    source.set_required(true);
    EXPECT_TRUE(cf_.Define(admin_, source).ok());
    cpb::FieldDefinition due =
        FieldDef("lead", "decide_by", cpb::FIELD_TYPE_DATE);
    EXPECT_TRUE(cf_.Define(admin_, due).ok());
  }

  pb::Lead Draft(int n, std::map<std::string, std::string> values) {
    pb::Lead l = CompanyLead(absl::StrCat("云帆科技", n, "号有限公司"),
                             absl::StrCat("1391234", 1000 + n));
    for (auto& [k, v] : values) (*l.mutable_custom_fields())[k] = v;
    return l;
  }

  pb::ListLeadsResponse List(const std::string& token,
                             std::map<std::string, std::string> filter,
                             grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListLeadsRequest req;
    for (auto& [k, v] : filter) (*req.mutable_custom_field_filter())[k] = v;
    pb::ListLeadsResponse out;
    grpc::Status s = h_.stub().ListLeads(&ctx, req, &out);
    if (status != nullptr)
      *status = s;
    else
      EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Update(const std::string& token, int64_t id,
                      std::map<std::string, std::string> values,
                      std::vector<std::string> paths, pb::Lead* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateLeadRequest req;
    req.mutable_lead()->set_id(id);
    req.mutable_lead()->set_phone("13912347721");
    for (auto& [k, v] : values)
      (*req.mutable_lead()->mutable_custom_fields())[k] = v;
    for (auto& p : paths) req.mutable_update_mask()->add_paths(p);
    return h_.stub().UpdateLead(&ctx, req, out);
  }

  testing::LeadsHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_, rep_, mgr_;
};

TEST_F(CustomFieldsLeadsTest, CreateValidatesAndReturnsValues) {
  pb::CreateLeadResponse out;
  grpc::Status s = h_.Create(rep_, Draft(1, {}), &out, "", true);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "lead.custom_fields.budget_level: required");
  s = h_.Create(rep_, Draft(1, {{"budget_level", "高"}, {"decide_by", "明天"}}),
                &out, "", true);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("lead.custom_fields.decide_by: must be a date"));
  pb::Lead l = h_.CreateOk(
      rep_, Draft(1, {{"budget_level", "高"}, {"decide_by", "2026-12-31"}}),
      true);
  EXPECT_EQ(l.custom_fields().at("budget_level"), "高");
  pb::Lead got;
  ASSERT_TRUE(h_.Get(rep_, l.id(), &got).ok());
  EXPECT_EQ(got.custom_fields().at("decide_by"), "2026-12-31");
  // A retry with the same request_id returns the values too.
  pb::CreateLeadResponse a, b;
  pb::Lead d = Draft(2, {{"budget_level", "低"}});
  ASSERT_TRUE(h_.Create(rep_, d, &a, "req-cf-1", true).ok());
  ASSERT_TRUE(h_.Create(rep_, d, &b, "req-cf-1", true).ok());
  EXPECT_EQ(a.lead().id(), b.lead().id());
  EXPECT_EQ(b.lead().custom_fields().at("budget_level"), "低");
}

TEST_F(CustomFieldsLeadsTest, UpdateAndListFilter) {
  std::vector<int64_t> ids;
  for (int i = 1; i <= 6; ++i) {
    ids.push_back(
        h_.CreateOk(rep_, Draft(i, {{"budget_level", i <= 2 ? "高" : "低"}}),
                    true)
            .id());
  }
  EXPECT_EQ(List(rep_, {{"budget_level", "高"}}).leads_size(), 2);
  EXPECT_EQ(List(rep_, {{"budget_level", "中"}}).leads_size(), 0);
  pb::Lead out;
  ASSERT_TRUE(
      Update(rep_, ids[5], {{"budget_level", "高"}}, {"custom_fields"}, &out)
          .ok());
  EXPECT_EQ(out.custom_fields().at("budget_level"), "高");
  pb::ListLeadsResponse high = List(rep_, {{"budget_level", "高"}});
  ASSERT_EQ(high.leads_size(), 3);
  for (const pb::Lead& l : high.leads())
    EXPECT_EQ(l.custom_fields().at("budget_level"), "高");
  grpc::Status s =
      Update(rep_, ids[0], {{"budget_level", "极高"}}, {"custom_fields"}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("lead.custom_fields.budget_level: must be one of"));
  List(rep_, {{"decide_by", "2026-01-01"}}, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("custom_field_filter.decide_by: only select fields"));
}

TEST_F(CustomFieldsLeadsTest, PhonesMaskedPerRoleAndReadOnlyRefused) {
  pb::Lead l = h_.CreateOk(rep_, Draft(1, {{"budget_level", "中"}}), true);
  ASSERT_TRUE(
      cf_.Permit(admin_, "lead", "phone", "sales_rep", cpb::FIELD_ACCESS_MASKED)
          .ok());
  ASSERT_TRUE(cf_.Permit(admin_, "lead", "custom_fields.budget_level",
                         "sales_manager", cpb::FIELD_ACCESS_READ_ONLY)
                  .ok());
  pb::Lead got;
  ASSERT_TRUE(h_.Get(rep_, l.id(), &got).ok());
  EXPECT_EQ(got.phone(), "+86139****1001");
  pb::ListLeadsResponse listed = List(rep_, {});
  ASSERT_EQ(listed.leads_size(), 1);
  EXPECT_EQ(listed.leads(0).phone(), "+86139****1001");
  ASSERT_TRUE(h_.Get(mgr_, l.id(), &got).ok());
  EXPECT_EQ(got.phone(), "+8613912341001");
  EXPECT_EQ(List(mgr_, {}).leads(0).phone(), "+8613912341001");
  ASSERT_TRUE(h_.Get(admin_, l.id(), &got).ok());
  EXPECT_EQ(got.phone(), "+8613912341001");

  pb::Lead out;
  grpc::Status s = Update(rep_, l.id(), {}, {"phone"}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("lead.phone: masked"));
  s = Update(mgr_, l.id(), {{"budget_level", "高"}},
             {"custom_fields.budget_level"}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("lead.custom_fields.budget_level: read-only"));
  EXPECT_TRUE(Update(mgr_, l.id(), {}, {"phone"}, &out).ok());
  EXPECT_TRUE(Update(rep_, l.id(), {{"budget_level", "高"}},
                     {"custom_fields.budget_level"}, &out)
                  .ok());
  EXPECT_EQ(out.custom_fields().at("budget_level"), "高");
  EXPECT_EQ(out.phone(), "+86139****7721");  // the rep's view, masked
}

}  // namespace
}  // namespace crm
