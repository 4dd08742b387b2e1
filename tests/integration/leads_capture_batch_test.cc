// CreateLead's capture batches (ADR 0027) against the real MariaDB, Redis,
// identity and accounts: a burst of concurrent captures from one caller is
// coalesced into batches, and every capture still gets the answer it would
// get alone: distinct prospects are created with their own ids, keys,
// captures, events and audit entries (each with its own request_id);
// duplicates within the burst merge into one lead; retries of one request
// share its result; a bad pool or phone fails only its own capture; kept
// leads are owned with their LeadAssigned event.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
using testing::CompanyLead;
using ::testing::HasSubstr;
using testing::LeadsHarness;

constexpr int kDistinct = 20;
constexpr int kSamePhone = 8;
constexpr int kSameRequest = 4;

class LeadsCaptureBatchTest : public ::testing::Test {
 protected:
  LeadsHarness h;
  testing::AccountsHarness::Login mgr =
      h.User("mgr_east", "east", "sales_manager");

  grpc::Status Create(const pb::CreateLeadRequest& req,
                      pb::CreateLeadResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr.token);
    return h.stub().CreateLead(&ctx, req, out);
  }
};

TEST_F(LeadsCaptureBatchTest, ABurstGetsEachCapturesOwnAnswer) {
  std::vector<pb::CreateLeadRequest> reqs;
  for (int i = 0; i < kDistinct; ++i) {
    pb::CreateLeadRequest r;
    *r.mutable_lead() = CompanyLead(absl::StrCat("批量公司", i),
                                    absl::StrCat("1391235", 1000 + i));
    r.set_request_id(absl::StrCat("batch-", i));
    reqs.push_back(r);
  }
  for (int i = 0; i < kSamePhone; ++i) {  // one prospect, many forms
    pb::CreateLeadRequest r;
    *r.mutable_lead() = CompanyLead(absl::StrCat("同号公司", i), "13912359999");
    reqs.push_back(r);
  }
  for (int i = 0; i < kSameRequest; ++i) {  // one request, retried
    pb::CreateLeadRequest r;
    *r.mutable_lead() = CompanyLead("重发公司", "13912358888");
    r.set_request_id("batch-same");
    reqs.push_back(r);
  }
  const size_t bad_pool = reqs.size();
  {
    pb::CreateLeadRequest r;
    *r.mutable_lead() = CompanyLead("错池公司", "13912357777");
    r.set_pool_id(999999);
    reqs.push_back(r);
  }
  const size_t bad_phone = reqs.size();
  {
    pb::CreateLeadRequest r;
    *r.mutable_lead() = CompanyLead("假号公司", "13800000000");
    reqs.push_back(r);
  }
  const size_t kept = reqs.size();
  for (int i = 0; i < 2; ++i) {
    pb::CreateLeadRequest r;
    *r.mutable_lead() = CompanyLead(absl::StrCat("自留公司", i),
                                    absl::StrCat("1391235", 6000 + i));
    r.set_keep(true);
    reqs.push_back(r);
  }

  const auto before = h.service().CaptureCounts();
  std::vector<pb::CreateLeadResponse> out(reqs.size());
  std::vector<grpc::Status> status(reqs.size());
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < reqs.size(); ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < static_cast<int>(reqs.size()))
        std::this_thread::yield();
      status[i] = Create(reqs[i], &out[i]);
    });
  }
  for (auto& t : threads) t.join();
  const auto after = h.service().CaptureCounts();
  EXPECT_EQ(after.second - before.second, static_cast<int64_t>(reqs.size()));
  // A burst queues behind the first batch: fewer batches than captures.
  EXPECT_LT(after.first - before.first, after.second - before.second);

  // Distinct prospects: created, each id its own row, keys and capture.
  std::set<int64_t> ids;
  for (int i = 0; i < kDistinct; ++i) {
    ASSERT_TRUE(status[i].ok()) << i << ": " << status[i].error_message();
    const pb::Lead& l = out[i].lead();
    EXPECT_FALSE(out[i].merged()) << i;
    EXPECT_EQ(l.company_name(), absl::StrCat("批量公司", i));
    EXPECT_GT(l.pool_id(), 0) << i;
    ids.insert(l.id());
    EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads WHERE id = ? AND "
                         "company_name = ? AND phone = ?",
                         "n", {l.id(), l.company_name(), l.phone()}),
              1)
        << i;
    EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_keys WHERE "
                         "lead_id = ? AND dedup_key = ?",
                         "n", {l.id(), absl::StrCat("phone:", l.phone())}),
              1)
        << i;
    EXPECT_EQ(h.QueryInt("SELECT lead_id AS n FROM lead_captures WHERE "
                         "request_id = ?",
                         "n", {absl::StrCat("batch-", i)}),
              l.id());
    EXPECT_EQ(
        h.QueryInt("SELECT COUNT(*) AS n FROM audit_log WHERE "
                   "entity_type = 'lead' AND action = 'create' AND "
                   "entity_id = ? AND request_id = ?",
                   "n", {std::to_string(l.id()), absl::StrCat("batch-", i)}),
        1)
        << i;
    EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE "
                         "event_type = 'LeadCreated' AND aggregate_id = ?",
                         "n", {std::to_string(l.id())}),
              1)
        << i;
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kDistinct));

  // One phone, many captures: one lead, the others merged into it.
  int created = 0;
  int64_t same_phone = 0;
  for (int i = kDistinct; i < kDistinct + kSamePhone; ++i) {
    ASSERT_TRUE(status[i].ok()) << i << ": " << status[i].error_message();
    if (!out[i].merged()) ++created;
    if (same_phone == 0) same_phone = out[i].lead().id();
    EXPECT_EQ(out[i].lead().id(), same_phone) << i;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(h.QueryInt("SELECT capture_count AS n FROM leads WHERE id = ?", "n",
                       {same_phone}),
            kSamePhone);

  // One request, retried: one lead, one capture, the same answer.
  const size_t same = kDistinct + kSamePhone;
  for (size_t i = same; i < same + kSameRequest; ++i) {
    ASSERT_TRUE(status[i].ok()) << i << ": " << status[i].error_message();
    EXPECT_EQ(out[i].lead().id(), out[same].lead().id()) << i;
    EXPECT_FALSE(out[i].merged()) << i;
  }
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_captures WHERE "
                       "request_id = 'batch-same'",
                       "n"),
            1);

  // Bad input fails only its own capture.
  EXPECT_EQ(status[bad_pool].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status[bad_pool].error_message(), HasSubstr("pool_id"));
  EXPECT_EQ(status[bad_phone].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status[bad_phone].error_message(), HasSubstr("phone"));

  // Kept leads: owned by the caller, with history and LeadAssigned.
  for (size_t i = kept; i < kept + 2; ++i) {
    ASSERT_TRUE(status[i].ok()) << i << ": " << status[i].error_message();
    const pb::Lead& l = out[i].lead();
    EXPECT_EQ(l.owner_id(), mgr.user_id);
    EXPECT_EQ(l.status(), pb::LEAD_STATUS_ASSIGNED);
    EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE "
                         "event_type = 'LeadAssigned' AND aggregate_id = ?",
                         "n", {std::to_string(l.id())}),
              1);
    EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_history WHERE "
                         "lead_id = ? AND to_owner_id = ?",
                         "n", {l.id(), mgr.user_id}),
              1);
  }
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads", "n"),
            kDistinct + 1 + 1 + 2);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE "
                       "event_type = 'LeadCreated'",
                       "n"),
            kDistinct + 1 + 1 + 2);
}

// A capture alone is a batch of one and answers as before; a retry of it
// after the burst returns its first result.
TEST_F(LeadsCaptureBatchTest, ACaptureAloneIsABatchOfOne) {
  const auto before = h.service().CaptureCounts();
  pb::CreateLeadRequest r;
  *r.mutable_lead() = CompanyLead("单独公司", "13912355555");
  r.set_request_id("alone-1");
  pb::CreateLeadResponse a, b;
  ASSERT_TRUE(Create(r, &a).ok());
  ASSERT_TRUE(Create(r, &b).ok());
  EXPECT_EQ(a.lead().id(), b.lead().id());
  const auto after = h.service().CaptureCounts();
  EXPECT_EQ(after.first - before.first, 2);
  EXPECT_EQ(after.second - before.second, 2);
}

}  // namespace
}  // namespace crm
