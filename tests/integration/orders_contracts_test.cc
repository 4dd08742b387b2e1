// Contracts and approval chains against real MariaDB/Redis, with accounts
// and identity in-process: creation rules and bad input, data scope,
// approval order and roles, reject and resubmit, editing under approval,
// signing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/orders_harness.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;
using ::testing::HasSubstr;
using testing::OrdersHarness;

class OrdersContractsTest : public ::testing::Test {
 protected:
  OrdersContractsTest() {
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    rep2_ = h_.User("rep.e2", "e2", "sales_rep");
    mgr_ = h_.User("mgr.east", "east", "sales_manager");
    mgr_north_ = h_.User("mgr.north", "north", "sales_manager");
    fin_ = h_.User("fin.root2", "root", "finance");
    boss_ = h_.User("boss.root2", "root", "boss");
    account_ = h_.Account(rep_.token, "苏州测试科技有限公司");
  }

  pb::Contract CreateOk(const pb::Contract& draft) {
    pb::Contract c;
    grpc::Status s = h_.Create(rep_.token, draft, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  OrdersHarness h_;
  OrdersHarness::Login rep_, rep2_, mgr_, mgr_north_, fin_, boss_;
  int64_t account_ = 0;
};

TEST_F(OrdersContractsTest, CreatesADraftWithItsPlan) {
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 120000, 3));
  EXPECT_GT(c.id(), 0);
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_DRAFT);
  EXPECT_EQ(c.owner_id(), rep_.user_id);
  EXPECT_EQ(c.owner_org_path(), h_.Path("e1"));
  EXPECT_EQ(c.customer_type(), pb::CUSTOMER_TYPE_SMB);
  ASSERT_EQ(c.installments_size(), 3);
  EXPECT_EQ(c.installments(0).due_date(), "2026-01-01");
  EXPECT_EQ(c.installments(2).due_date(), "2026-03-01");
  EXPECT_EQ(c.installments(1).amount().amount_minor(), 40000);
  EXPECT_EQ(c.installments(0).status(), pb::INSTALLMENT_STATUS_OPEN);
}

TEST_F(OrdersContractsTest, RequestIdReturnsTheFirstContract) {
  pb::Contract a, b;
  ASSERT_TRUE(
      h_.Create(rep_.token, OrdersHarness::Draft(account_, 100), &a, "r-1")
          .ok());
  ASSERT_TRUE(
      h_.Create(rep_.token, OrdersHarness::Draft(account_, 999), &b, "r-1")
          .ok());
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(b.amount().amount_minor(), 100);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM contracts"), 1);
}

TEST_F(OrdersContractsTest, InstallmentSumsAreExact) {
  pb::Contract draft = OrdersHarness::Draft(account_, 1000, 3);
  draft.mutable_installments(2)->mutable_amount()->set_amount_minor(500);
  pb::Contract out;
  grpc::Status s = h_.Create(rep_.token, draft, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("installments[2].amount"));
  EXPECT_THAT(s.error_message(), HasSubstr("exceeding the contract amount"));

  draft.mutable_installments(2)->mutable_amount()->set_amount_minor(100);
  s = h_.Create(rep_.token, draft, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("installments: they sum to 766"));
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM contracts"), 0);
}

TEST_F(OrdersContractsTest, BadInputNamesTheField) {
  struct Case {
    std::function<void(pb::Contract&)> mutate;
    const char* field;
  };
  std::vector<Case> cases = {
      {[](pb::Contract& c) { c.set_title(""); }, "title:"},
      {[](pb::Contract& c) { c.set_start_date("2026-02-30"); }, "start_date:"},
      {[](pb::Contract& c) { c.set_end_date("2025-01-01"); }, "end_date:"},
      {[](pb::Contract& c) { c.mutable_amount()->set_amount_minor(0); },
       "amount:"},
      {[](pb::Contract& c) { c.mutable_amount()->set_currency_code("USD"); },
       "amount.currency_code"},
      {[](pb::Contract& c) { c.set_type(pb::CONTRACT_TYPE_UNSPECIFIED); },
       "type:"},
      {[](pb::Contract& c) { c.set_type(pb::CONTRACT_TYPE_RENEWAL); },
       "predecessor_contract_id:"},
      {[](pb::Contract& c) { c.clear_installments(); }, "installments:"},
      {[](pb::Contract& c) { c.mutable_installments(0)->set_due_date("x"); },
       "installments[0].due_date"},
      {[](pb::Contract& c) { c.set_opportunity_id(-1); }, "opportunity_id"},
  };
  for (const Case& k : cases) {
    pb::Contract draft = OrdersHarness::Draft(account_, 1000, 2);
    k.mutate(draft);
    pb::Contract out;
    grpc::Status s = h_.Create(rep_.token, draft, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << k.field;
    EXPECT_THAT(s.error_message(), HasSubstr(k.field));
  }
}

TEST_F(OrdersContractsTest, AccountMustExistAndBeVisible) {
  pb::Contract out;
  grpc::Status s =
      h_.Create(rep_.token, OrdersHarness::Draft(999999, 100), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // rep2's account is invisible to rep (another team).
  const int64_t other = h_.Account(rep2_.token, "无锡别人的客户有限公司");
  s = h_.Create(rep_.token, OrdersHarness::Draft(other, 100), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("account"));
  // The customer type comes from the account.
  const int64_t ka = h_.Account(rep_.token, "南京大客户集团有限公司", true);
  ASSERT_TRUE(h_.Create(rep_.token, OrdersHarness::Draft(ka, 100), &out).ok());
  EXPECT_EQ(out.customer_type(), pb::CUSTOMER_TYPE_KA);
}

TEST_F(OrdersContractsTest, ScopeFollowsTheOwner) {
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 100));
  pb::Contract out;
  EXPECT_TRUE(h_.Get(rep_.token, c.id(), &out).ok());
  EXPECT_TRUE(h_.Get(mgr_.token, c.id(), &out).ok());
  EXPECT_TRUE(h_.Get(fin_.token, c.id(), &out).ok());
  grpc::Status other = h_.Get(rep2_.token, c.id(), &out);
  grpc::Status missing = h_.Get(rep2_.token, 987654, &out);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Get(mgr_north_.token, c.id(), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), HasSubstr("not found"));

  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep2_.token);
  pb::ListContractsRequest req;
  pb::ListContractsResponse list;
  ASSERT_TRUE(h_.stub().ListContracts(&ctx, req, &list).ok());
  EXPECT_EQ(list.contracts_size(), 0);
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, mgr_.token);
  ASSERT_TRUE(h_.stub().ListContracts(&ctx2, req, &list).ok());
  EXPECT_EQ(list.contracts_size(), 1);
}

TEST_F(OrdersContractsTest, ApprovalFollowsTheChainInOrder) {
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 5000, 2));
  ASSERT_TRUE(h_.Submit(rep_.token, c.id(), &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_PENDING_APPROVAL);
  ASSERT_EQ(c.approval_steps_size(), 2);
  EXPECT_EQ(c.approval_steps(0), "sales_manager");
  EXPECT_EQ(c.approval_steps(1), "finance");

  // Finance cannot go first; a rep cannot approve; the owner never.
  grpc::Status s = h_.Approve(fin_.token, c.id(), 0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("sales_manager"));
  EXPECT_EQ(h_.Approve(rep2_.token, c.id(), 0).error_code(),
            grpc::StatusCode::NOT_FOUND);  // not even visible
  // A manager of another region holds the role but not the scope.
  EXPECT_EQ(h_.Approve(mgr_north_.token, c.id(), 0).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Approving a step that is not current: a stale click.
  EXPECT_EQ(h_.Approve(mgr_.token, c.id(), 1).error_code(),
            grpc::StatusCode::ABORTED);

  ASSERT_TRUE(h_.Approve(mgr_.token, c.id(), 0, &c).ok());
  EXPECT_EQ(c.current_step(), 1);
  EXPECT_EQ(h_.Approve(mgr_.token, c.id(), 0).error_code(),
            grpc::StatusCode::ABORTED);  // double click
  EXPECT_EQ(h_.Approve(mgr_.token, c.id(), 1).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Signing before the chain ends.
  EXPECT_EQ(h_.Sign(rep_.token, c.id()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(h_.Approve(fin_.token, c.id(), 1, &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_APPROVED);

  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  pb::ListApprovalHistoryRequest req;
  req.set_contract_id(c.id());
  pb::ListApprovalHistoryResponse hist;
  ASSERT_TRUE(h_.stub().ListApprovalHistory(&ctx, req, &hist).ok());
  ASSERT_EQ(hist.entries_size(), 3);
  EXPECT_EQ(hist.entries(0).action(), pb::APPROVAL_ACTION_SUBMIT);
  EXPECT_EQ(hist.entries(1).action(), pb::APPROVAL_ACTION_APPROVE);
  EXPECT_EQ(hist.entries(1).actor_id(), mgr_.user_id);
  EXPECT_EQ(hist.entries(1).role(), "sales_manager");
  EXPECT_EQ(hist.entries(2).actor_id(), fin_.user_id);
}

TEST_F(OrdersContractsTest, OwnerMayNotApproveOwnContract) {
  // A manager who owns the contract cannot approve its manager step.
  const int64_t acc = h_.Account(mgr_.token, "杭州经理自己的客户有限公司");
  pb::Contract c;
  ASSERT_TRUE(h_.Create(mgr_.token, OrdersHarness::Draft(acc, 100), &c).ok());
  ASSERT_TRUE(h_.Submit(mgr_.token, c.id()).ok());
  grpc::Status s = h_.Approve(mgr_.token, c.id(), 0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("owner"));
}

TEST_F(OrdersContractsTest, KeyAccountsAndBigAmountsGetCommercialReview) {
  const int64_t ka = h_.Account(rep_.token, "上海重点客户股份有限公司", true);
  pb::Contract c;
  ASSERT_TRUE(h_.Create(rep_.token, OrdersHarness::Draft(ka, 100), &c).ok());
  ASSERT_TRUE(h_.Submit(rep_.token, c.id(), &c).ok());
  ASSERT_EQ(c.approval_steps_size(), 3);
  EXPECT_EQ(c.approval_steps(1), "boss");
  ASSERT_TRUE(h_.Approve(mgr_.token, c.id(), 0).ok());
  EXPECT_EQ(h_.Approve(fin_.token, c.id(), 1).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(h_.Approve(boss_.token, c.id(), 1).ok());
  ASSERT_TRUE(h_.Approve(fin_.token, c.id(), 2, &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_APPROVED);

  pb::Contract big = CreateOk(OrdersHarness::Draft(account_, 100'000'000));
  ASSERT_TRUE(h_.Submit(rep_.token, big.id(), &big).ok());
  EXPECT_EQ(big.approval_steps_size(), 3);
  pb::Contract small = CreateOk(OrdersHarness::Draft(account_, 99'999'999));
  ASSERT_TRUE(h_.Submit(rep_.token, small.id(), &small).ok());
  EXPECT_EQ(small.approval_steps_size(), 2);
}

TEST_F(OrdersContractsTest, ConfiguredChainsReplaceTheDefaults) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::SetApprovalChainsRequest req;
  pb::ApprovalChain* chain = req.add_chains();
  chain->add_steps("finance");
  pb::ApprovalChains out;
  ASSERT_TRUE(h_.stub().SetApprovalChains(&ctx, req, &out).ok());
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 100));
  ASSERT_TRUE(h_.Submit(rep_.token, c.id(), &c).ok());
  ASSERT_EQ(c.approval_steps_size(), 1);
  ASSERT_TRUE(h_.Approve(fin_.token, c.id(), 0, &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_APPROVED);

  // Only admins configure; bad roles are named.
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, mgr_.token);
  EXPECT_EQ(h_.stub().SetApprovalChains(&ctx2, req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  chain->add_steps("sales_rep");
  grpc::ClientContext ctx3;
  client::Prepare(&ctx3, h_.Admin());
  grpc::Status s = h_.stub().SetApprovalChains(&ctx3, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("chains[0].steps[1]"));
}

TEST_F(OrdersContractsTest, RejectAndResubmitRestartTheChain) {
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 5000, 2));
  ASSERT_TRUE(h_.Submit(rep_.token, c.id()).ok());
  ASSERT_TRUE(h_.Approve(mgr_.token, c.id(), 0).ok());
  // Reject needs a comment.
  EXPECT_EQ(h_.Reject(fin_.token, c.id(), 1, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(h_.Reject(fin_.token, c.id(), 1, "plan too long", &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_REJECTED);
  // Submit is for drafts; a rejected contract is resubmitted.
  EXPECT_EQ(h_.Submit(rep_.token, c.id()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // It may be edited now.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  pb::UpdateContractRequest up;
  up.mutable_contract()->set_id(c.id());
  up.mutable_contract()->set_title("Shorter plan");
  up.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(h_.stub().UpdateContract(&ctx, up, &c).ok());
  EXPECT_EQ(c.title(), "Shorter plan");

  grpc::ClientContext rctx;
  client::Prepare(&rctx, rep_.token);
  pb::ResubmitContractRequest rs;
  rs.set_id(c.id());
  ASSERT_TRUE(h_.stub().ResubmitContract(&rctx, rs, &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_PENDING_APPROVAL);
  EXPECT_EQ(c.current_step(), 0);
  EXPECT_EQ(c.approval_round(), 2);
  // The chain restarts: finance cannot skip the manager.
  EXPECT_EQ(h_.Approve(fin_.token, c.id(), 0).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(h_.Approve(mgr_.token, c.id(), 0).ok());
  ASSERT_TRUE(h_.Approve(fin_.token, c.id(), 1, &c).ok());
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_APPROVED);
  grpc::ClientContext rctx2;
  client::Prepare(&rctx2, rep_.token);
  EXPECT_EQ(h_.stub().ResubmitContract(&rctx2, rs, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(h_.QueryInt(absl::StrCat("SELECT COUNT(*) AS c FROM "
                                     "approval_history WHERE contract_id = ",
                                     c.id())),
            6);
}

TEST_F(OrdersContractsTest, EditingUnderApprovalIsRefused) {
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 1000, 2));
  pb::UpdateContractRequest up;
  up.mutable_contract()->set_id(c.id());
  up.mutable_contract()->mutable_amount()->set_amount_minor(2000);
  up.mutable_update_mask()->add_paths("amount");
  {
    // The plan must still sum: amount alone breaks it.
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    grpc::Status s = h_.stub().UpdateContract(&ctx, up, &c);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("installments"));
  }
  ASSERT_TRUE(h_.Submit(rep_.token, c.id()).ok());
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("title");
  up.mutable_contract()->set_title("x");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  grpc::Status s = h_.stub().UpdateContract(&ctx, up, &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("under approval"));
  up.mutable_update_mask()->add_paths("owner_id");
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, rep_.token);
  EXPECT_EQ(h_.stub().UpdateContract(&ctx2, up, &c).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(OrdersContractsTest, EditsAmountAndPlanTogetherUntilApproved) {
  pb::Contract c = CreateOk(OrdersHarness::Draft(account_, 1000, 2));
  pb::UpdateContractRequest up;
  *up.mutable_contract() = OrdersHarness::Draft(account_, 3000, 3);
  up.mutable_contract()->set_id(c.id());
  up.mutable_update_mask()->add_paths("amount");
  up.mutable_update_mask()->add_paths("installments");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    ASSERT_TRUE(h_.stub().UpdateContract(&ctx, up, &c).ok());
  }
  EXPECT_EQ(c.amount().amount_minor(), 3000);
  ASSERT_EQ(c.installments_size(), 3);
  // Another rep may not edit it (not even see it).
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep2_.token);
    EXPECT_EQ(h_.stub().UpdateContract(&ctx, up, &c).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  ASSERT_TRUE(h_.Submit(rep_.token, c.id()).ok());
  ASSERT_TRUE(h_.Approve(mgr_.token, c.id(), 0).ok());
  ASSERT_TRUE(h_.Approve(fin_.token, c.id(), 1).ok());
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  grpc::Status s = h_.stub().UpdateContract(&ctx, up, &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("approved"));
  // Paging over the manager's view.
  for (int i = 0; i < 4; ++i) CreateOk(OrdersHarness::Draft(account_, 10));
  pb::ListContractsRequest req;
  req.set_page_size(2);
  int seen = 0;
  do {
    grpc::ClientContext lctx;
    client::Prepare(&lctx, mgr_.token);
    pb::ListContractsResponse page;
    ASSERT_TRUE(h_.stub().ListContracts(&lctx, req, &page).ok());
    seen += page.contracts_size();
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(seen, 5);
}

TEST_F(OrdersContractsTest, SignIsRetrySafeAndRenewalsLinkPredecessors) {
  pb::Contract c =
      h_.SignedContract(rep_.token, OrdersHarness::Draft(account_, 8000, 2));
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_SIGNED);
  EXPECT_GT(c.signed_at().seconds(), 0);
  pb::Contract again;
  ASSERT_TRUE(h_.Sign(rep_.token, c.id(), &again).ok());
  EXPECT_EQ(again.signed_at().seconds(), c.signed_at().seconds());
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                        "'ContractSigned'"),
            1);
  EXPECT_EQ(h_.Sign(rep2_.token, c.id()).error_code(),
            grpc::StatusCode::NOT_FOUND);

  pb::Contract renewal =
      OrdersHarness::Draft(account_, 9000, 1, "2027-01-01", "2027-12-31");
  renewal.set_type(pb::CONTRACT_TYPE_RENEWAL);
  renewal.set_predecessor_contract_id(c.id());
  pb::Contract r = CreateOk(renewal);
  EXPECT_EQ(r.type(), pb::CONTRACT_TYPE_RENEWAL);
  EXPECT_EQ(r.predecessor_contract_id(), c.id());
  // A draft predecessor, or one of another account, is refused.
  renewal.set_predecessor_contract_id(r.id());
  pb::Contract out;
  grpc::Status s = h_.Create(rep_.token, renewal, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("predecessor_contract_id"));
  const int64_t other = h_.Account(rep_.token, "常州另一家客户有限公司");
  renewal.set_account_id(other);
  renewal.set_predecessor_contract_id(c.id());
  s = h_.Create(rep_.token, renewal, &out);
  EXPECT_THAT(s.error_message(), HasSubstr("another account"));
}

}  // namespace
}  // namespace crm::orders
