// ImportLeads: CSV through common/import, per-row outcomes (created,
// merged into open leads and earlier rows, invalid, existing customers),
// permissions, header errors and request_id replays.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
namespace apb = crm::accounts::v1;
using testing::CompanyLead;
using ::testing::HasSubstr;
using testing::LeadsHarness;

class LeadsImportTest : public ::testing::Test {
 protected:
  LeadsHarness h;
  std::string mgr = h.User("mgr_east", "east", "sales_manager").token;
  testing::AccountsHarness::Login rep = h.User("rep_e1", "e1", "sales_rep");

  grpc::Status Import(const std::string& token, const std::string& csv,
                      pb::ImportLeadsResponse* out,
                      const std::string& request_id = "",
                      int64_t channel_id = 0) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    auto w = h.stub().ImportLeads(&ctx, out);
    pb::ImportLeadsRequest m;
    m.mutable_header()->set_file_name("leads.csv");
    m.mutable_header()->set_request_id(request_id);
    m.mutable_header()->set_channel_id(channel_id);
    bool open = w->Write(m);
    for (size_t i = 0; open && i < csv.size(); i += 7) {
      m.set_chunk(csv.substr(i, 7));  // tiny chunks: rows span messages
      open = w->Write(m);
    }
    w->WritesDone();
    return w->Finish();
  }
};

TEST_F(LeadsImportTest, EveryRowGetsAnOutcome) {
  apb::Account person;
  person.set_kind(apb::ACCOUNT_KIND_PERSON);
  person.set_name("老客户");
  person.set_phone("13612340009");
  person.set_region_code("east");
  const int64_t account = h.accounts().CreateAccountOk(rep.token, person);
  const pb::Lead open =
      h.CreateOk(mgr, CompanyLead("已有线索公司", "13612340001"));

  const std::string csv =
      "公司名称,联系人,手机,邮箱,城市,规模\n"
      "导入一号公司,张一,13612340002,a@x.cn,上海,120\n"  // 2 created
      "导入二号公司,张二,136 1234 0002,,上海,\n"         // 3 merged (row 2)
      "已有线索公司,张三,13612340003,,上海,\n"           // 4 merged (open)
      "导入四号公司,张四,13800000000,,上海,\n"           // 5 invalid phone
      "导入五号公司,张五,,not-an-email,上海,\n"          // 6 invalid email
      "导入六号公司,张六,13612340009,,上海,\n"           // 7 existing customer
      ",,13612340010,,,\n"                               // 8 no name
      "导入八号公司,张八,13612340011,,上海,很多\n";      // 9 bad size
  pb::ImportLeadsResponse out;
  grpc::Status s = Import(mgr, csv, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.created(), 2);  // row 2 and the existing customer
  EXPECT_EQ(out.existing_customers(), 1);
  EXPECT_EQ(out.merged(), 2);
  EXPECT_EQ(out.invalid(), 4);
  std::map<int64_t, pb::ImportLeadRowResult> rows;
  for (const auto& r : out.rows()) rows[r.row()] = r;
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[2].outcome(), pb::ImportLeadRowResult::OUTCOME_CREATED);
  EXPECT_EQ(rows[3].outcome(), pb::ImportLeadRowResult::OUTCOME_MERGED);
  EXPECT_EQ(rows[3].lead_id(), rows[2].lead_id());
  EXPECT_EQ(rows[4].outcome(), pb::ImportLeadRowResult::OUTCOME_MERGED);
  EXPECT_EQ(rows[4].lead_id(), open.id());
  EXPECT_EQ(rows[5].outcome(), pb::ImportLeadRowResult::OUTCOME_INVALID);
  EXPECT_THAT(rows[5].error(), HasSubstr("phone: "));
  EXPECT_THAT(rows[6].error(), HasSubstr("email: "));
  EXPECT_EQ(rows[7].outcome(),
            pb::ImportLeadRowResult::OUTCOME_EXISTING_CUSTOMER);
  EXPECT_THAT(rows[8].error(), HasSubstr("contact_name: required"));
  EXPECT_THAT(rows[9].error(), HasSubstr("company_size: "));

  pb::Lead existing;
  ASSERT_TRUE(h.Get(mgr, rows[7].lead_id(), &existing).ok());
  EXPECT_EQ(existing.account_id(), account);
  EXPECT_EQ(existing.owner_id(), rep.user_id);
  pb::Lead first;
  ASSERT_TRUE(h.Get(mgr, rows[2].lead_id(), &first).ok());
  EXPECT_EQ(first.capture_count(), 2);
  EXPECT_EQ(first.company_size(), 120);
  EXPECT_EQ(first.region_code(), "east");  // the importer's region
}

TEST_F(LeadsImportTest, ManyRowsAreCheckedInParallelBatches) {
  // 300 distinct prospects; every tenth phone belongs to rep's customer.
  // More than one parallel CheckDuplicatesBatch call per 500-row batch.
  for (int i = 0; i < 300; i += 10) {
    apb::Account person;
    person.set_kind(apb::ACCOUNT_KIND_PERSON);
    person.set_name(absl::StrCat("批量老客户", i));
    person.set_phone(absl::StrCat("1371234", 1000 + i));
    person.set_region_code("east");
    h.accounts().CreateAccountOk(rep.token, person);
  }
  std::string csv = "公司名称,手机\n";
  for (int i = 0; i < 300; ++i)
    absl::StrAppend(&csv, "批量导入公司", i, ",1371234", 1000 + i, "\n");
  pb::ImportLeadsResponse out;
  grpc::Status s = Import(mgr, csv, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.created(), 300);
  EXPECT_EQ(out.existing_customers(), 30);
  EXPECT_EQ(out.merged(), 0);
  EXPECT_EQ(out.invalid(), 0);
  for (const auto& r : out.rows()) {
    const int i = static_cast<int>(r.row()) - 2;
    EXPECT_EQ(r.outcome() == pb::ImportLeadRowResult::OUTCOME_EXISTING_CUSTOMER,
              i % 10 == 0)
        << r.row();
  }
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads WHERE owner_id = ? "
                       "AND existing_customer = 1",
                       "n", {rep.user_id}),
            30);
}

TEST_F(LeadsImportTest, AccountsDownFailsTheImportWithUnavailable) {
  h.StopAccounts();
  pb::ImportLeadsResponse out;
  grpc::Status s = Import(mgr, "公司名称,手机\n宕机导入,13612340040\n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  h.StartAccounts();
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads", "n"), 0);
}

TEST_F(LeadsImportTest, RequestIdReplaysTheSummary) {
  const std::string csv = "公司名称,手机\n重放公司,13612340020\n";
  pb::ImportLeadsResponse a, b;
  ASSERT_TRUE(Import(mgr, csv, &a, "imp-1").ok());
  ASSERT_TRUE(Import(mgr, csv, &b, "imp-1").ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_captures", "n"), 1);
}

TEST_F(LeadsImportTest, FileAndPermissionErrors) {
  pb::ImportLeadsResponse out;
  EXPECT_EQ(Import(rep.token, "公司名称,手机\n", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = Import(mgr, "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Import(mgr, "公司名称,城市\n某公司,上海\n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("phone"));
  s = Import(mgr, "城市,手机\n上海,13612340030\n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Import(mgr, "公司名称,手机\n\"未闭合,13612340031\n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Import(mgr, "公司名称,手机\nA,13612340032\n", &out, "", 4242);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header.channel_id"));
  // No header message at all.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr);
  auto w = h.stub().ImportLeads(&ctx, &out);
  pb::ImportLeadsRequest m;
  m.set_chunk("x");
  w->Write(m);
  w->WritesDone();
  EXPECT_EQ(w->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace crm
