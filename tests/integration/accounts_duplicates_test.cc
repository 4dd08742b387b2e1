// Duplicate checks against real MariaDB: CheckDuplicates for company drafts
// without a credit code (leads' name/address-only check) and
// CheckDuplicatesBatch (imports): per-draft results in request order, error
// entries for bad drafts, the same visibility as CheckDuplicates, 500 drafts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;
using ::testing::HasSubstr;

std::string Code(int n) { return testing::CreditCode(n, "91440300MA5"); }

class AccountsDuplicatesTest : public ::testing::Test {
 protected:
  grpc::Status Check(const std::string& token, const pb::Account& draft,
                     pb::CheckDuplicatesResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CheckDuplicatesRequest req;
    *req.mutable_draft() = draft;
    return h_.stub().CheckDuplicates(&ctx, req, out);
  }

  grpc::Status Batch(const std::string& token,
                     const std::vector<pb::Account>& drafts,
                     pb::CheckDuplicatesBatchResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CheckDuplicatesBatchRequest req;
    for (const pb::Account& d : drafts) *req.add_drafts() = d;
    return h_.stub().CheckDuplicatesBatch(&ctx, req, out);
  }

  static pb::Account Person(const std::string& name, const std::string& phone) {
    pb::Account a;
    a.set_kind(pb::ACCOUNT_KIND_PERSON);
    a.set_name(name);
    a.set_phone(phone);
    a.set_region_code("east");
    a.set_type(pb::CUSTOMER_TYPE_SMB);
    return a;
  }

  AccountsHarness h_;
};

TEST_F(AccountsDuplicatesTest, CompanyDraftWithoutCreditCodeIsCheckedByName) {
  const auto rep = h_.User("dup_rep", "e1", "sales_rep");
  pb::Account existing = testing::CompanyDraft("深圳腾飞科技有限公司", Code(1));
  existing.set_address("深圳市南山区科技园南路88号");
  const int64_t id = h_.CreateAccountOk(rep.token, existing);

  pb::Account lead = testing::CompanyDraft("深圳腾飞科技有限公司", "");
  pb::CheckDuplicatesResponse dups;
  grpc::Status st = Check(rep.token, lead, &dups);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_GE(dups.candidates_size(), 1);
  EXPECT_EQ(dups.candidates(0).account_id(), id);
  EXPECT_EQ(dups.candidates(0).match(), "name");
  EXPECT_FALSE(dups.candidates(0).exact());
  EXPECT_EQ(dups.candidates(0).owner_id(), rep.user_id);

  // A similar name at the same address.
  lead.set_name("深圳腾飞科技股份公司");
  lead.set_address("深圳市南山区科技园南路88号");
  dups.Clear();
  ASSERT_TRUE(Check(rep.token, lead, &dups).ok());
  ASSERT_GE(dups.candidates_size(), 1);
  EXPECT_EQ(dups.candidates(0).account_id(), id);

  // Nothing like it: no candidates, no error.
  dups.Clear();
  ASSERT_TRUE(
      Check(rep.token, testing::CompanyDraft("哈尔滨冰雪啤酒厂", ""), &dups)
          .ok());
  EXPECT_EQ(dups.candidates_size(), 0);

  // A credit code that is given is still validated; other rules still hold.
  dups.Clear();
  st = Check(rep.token, testing::CompanyDraft("某公司", "91440300MA5XXXXXX1"),
             &dups);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("credit_code"));
  st = Check(rep.token, testing::CompanyDraft("", ""), &dups);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("name"));

  // CreateAccount still requires the code.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::CreateAccountRequest create;
  *create.mutable_account() = testing::CompanyDraft("无码新公司", "");
  create.set_ignore_similar(true);
  pb::CreateAccountResponse created;
  st = h_.stub().CreateAccount(&ctx, create, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("credit_code"));
}

TEST_F(AccountsDuplicatesTest, BatchMatchesPerDraftWithErrorsAndVisibility) {
  const auto owner = h_.User("batch_owner", "e1", "sales_rep");
  const auto other = h_.User("batch_other", "e2", "sales_rep");
  const auto boss = h_.User("batch_boss", "east", "sales_manager");
  const int64_t company = h_.CreateAccountOk(
      owner.token, testing::CompanyDraft("广州珠江船舶有限公司", Code(2)));
  const int64_t person =
      h_.CreateAccountOk(owner.token, Person("王小明", "13924681357"));

  const std::vector<pb::Account> drafts = {
      testing::CompanyDraft("完全不同的名字", Code(2)),    // 0: same code
      testing::CompanyDraft("广州珠江船舶有限公司", ""),   // 1: name only
      testing::CompanyDraft("", Code(3)),                  // 2: bad: no name
      Person("王晓明", "+86 139 2468 1357"),               // 3: same phone
      testing::CompanyDraft("哈尔滨冰雪啤酒厂", Code(4)),  // 4: nothing
      Person("赵六", ""),                                  // 5: bad: no phone
  };
  for (const auto& who : {owner, other, boss}) {
    pb::CheckDuplicatesBatchResponse resp;
    grpc::Status st = Batch(who.token, drafts, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.results_size(), 6);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(resp.results(i).index(), i);
    // The owner is shown only to callers who can see the account.
    const int64_t shown = who.user_id == other.user_id ? 0 : owner.user_id;

    ASSERT_GE(resp.results(0).candidates_size(), 1);
    EXPECT_EQ(resp.results(0).candidates(0).account_id(), company);
    EXPECT_EQ(resp.results(0).candidates(0).match(), "credit_code");
    EXPECT_TRUE(resp.results(0).candidates(0).exact());
    EXPECT_EQ(resp.results(0).candidates(0).owner_id(), shown);
    EXPECT_TRUE(resp.results(0).error().empty());

    ASSERT_GE(resp.results(1).candidates_size(), 1);
    EXPECT_EQ(resp.results(1).candidates(0).account_id(), company);
    EXPECT_EQ(resp.results(1).candidates(0).match(), "name");
    EXPECT_EQ(resp.results(1).candidates(0).owner_id(), shown);

    EXPECT_THAT(resp.results(2).error(), HasSubstr("name"));
    EXPECT_EQ(resp.results(2).candidates_size(), 0);

    ASSERT_GE(resp.results(3).candidates_size(), 1);
    EXPECT_EQ(resp.results(3).candidates(0).account_id(), person);
    EXPECT_EQ(resp.results(3).candidates(0).match(), "phone");
    EXPECT_EQ(resp.results(3).candidates(0).owner_id(), shown);

    EXPECT_EQ(resp.results(4).candidates_size(), 0);
    EXPECT_TRUE(resp.results(4).error().empty());
    EXPECT_THAT(resp.results(5).error(), HasSubstr("phone"));

    // The batch agrees with CheckDuplicates draft by draft.
    for (int i : {0, 1, 3, 4}) {
      pb::CheckDuplicatesResponse single;
      ASSERT_TRUE(Check(who.token, drafts[i], &single).ok());
      ASSERT_EQ(single.candidates_size(), resp.results(i).candidates_size())
          << i;
      for (int k = 0; k < single.candidates_size(); ++k) {
        EXPECT_EQ(single.candidates(k).account_id(),
                  resp.results(i).candidates(k).account_id());
        EXPECT_EQ(single.candidates(k).owner_id(),
                  resp.results(i).candidates(k).owner_id());
      }
    }
  }
}

TEST_F(AccountsDuplicatesTest, BatchOf500AndItsLimits) {
  const auto rep = h_.User("batch500_rep", "e1", "sales_rep");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(h_.CreateAccountOk(
        rep.token,
        testing::CompanyDraft(absl::StrCat("批量", i, "号实业有限公司"),
                              Code(100 + i))));
  std::vector<pb::Account> drafts;
  for (int i = 0; i < 500; ++i)
    drafts.push_back(testing::CompanyDraft(absl::StrCat("导入客户", i, "号"),
                                           Code(1000 + i)));
  // Every 100th draft repeats an existing code.
  for (int k = 0; k < 5; ++k) drafts[k * 100].set_credit_code(Code(100 + k));
  pb::CheckDuplicatesBatchResponse resp;
  grpc::Status st = Batch(rep.token, drafts, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.results_size(), 500);
  int matched = 0;
  for (int i = 0; i < 500; ++i) {
    const pb::DraftDuplicates& r = resp.results(i);
    EXPECT_EQ(r.index(), i);
    EXPECT_TRUE(r.error().empty()) << i << r.error();
    bool exact = false;
    for (const auto& c : r.candidates()) exact |= c.exact();
    if (i % 100 == 0) {
      ASSERT_TRUE(exact) << i;
      EXPECT_EQ(r.candidates(0).account_id(), ids[i / 100]);
      ++matched;
    } else {
      EXPECT_FALSE(exact) << i;
    }
  }
  EXPECT_EQ(matched, 5);

  drafts.push_back(drafts[1]);  // 501
  resp.Clear();
  st = Batch(rep.token, drafts, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("drafts"));
  st = Batch(rep.token, {}, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // No caller: refused.
  grpc::ClientContext ctx;
  pb::CheckDuplicatesBatchRequest req;
  *req.add_drafts() = drafts[0];
  EXPECT_EQ(h_.stub().CheckDuplicatesBatch(&ctx, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace crm::accounts
