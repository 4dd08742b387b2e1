// MarkWon with create_contract: opportunities creates the DRAFT contract in
// an in-process orders service (same accounts, the caller's token), wins
// with its id as contract_ref, never creates a second one on a retry, and
// stays open when orders fails (ADR 0015).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/client/client.h"
#include "tests/testing/opportunities_harness.h"

namespace crm::opportunities {
namespace {

namespace pb = crm::opportunities::v1;
namespace opb = crm::orders::v1;
using ::testing::HasSubstr;
using testing::OpportunitiesHarness;

class OpportunitiesWonTest : public ::testing::Test {
 protected:
  explicit OpportunitiesWonTest(OpportunitiesHarness::Orders orders =
                                    OpportunitiesHarness::Orders::kInProcess)
      : h_(OpportunitiesConfig{}, orders),
        rep_(h_.User("rep", "e1", "sales_rep")) {
    account_ = h_.Account(rep_.token, "赢单合同有限公司");
  }

  // An open SMB-standard opportunity; with `amount` > 0 it has everything
  // the won stage requires.
  int64_t Fresh(int64_t amount = 880000, const std::string& currency = "CNY") {
    const int64_t id = h_.CreateOk(rep_.token, account_, "合同机会");
    if (amount > 0) {
      pb::Opportunity in;
      in.set_id(id);
      in.mutable_amount()->set_currency_code(currency);
      in.mutable_amount()->set_amount_minor(amount);
      EXPECT_TRUE(h_.Update(rep_.token, in, {"amount"}).ok());
    }
    return id;
  }
  int64_t Contracts(int64_t opportunity_id) {
    return h_.orders().QueryInt(absl::StrCat(
        "SELECT COUNT(*) AS c FROM contracts WHERE opportunity_id = ",
        opportunity_id));
  }
  pb::OpportunityStatus StatusOf(int64_t id) {
    pb::Opportunity o;
    EXPECT_TRUE(h_.Get(rep_.token, id, &o).ok());
    return o.status();
  }

  OpportunitiesHarness h_;
  testing::AccountsHarness::Login rep_;
  int64_t account_ = 0;
};

TEST_F(OpportunitiesWonTest, CreatesOneDraftContractAndWins) {
  const int64_t id = Fresh();
  pb::Opportunity o;
  grpc::Status s = h_.WonWithContract(rep_.token, id, &o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(o.status(), pb::OPPORTUNITY_STATUS_WON);
  EXPECT_EQ(o.stage(), "won");
  ASSERT_FALSE(o.contract_ref().empty());
  const int64_t contract_id = std::stoll(o.contract_ref());
  EXPECT_EQ(o.contract_ref(), absl::StrCat(contract_id));
  EXPECT_EQ(Contracts(id), 1);

  opb::Contract c;
  s = h_.orders().Get(rep_.token, contract_id, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(c.status(), opb::CONTRACT_STATUS_DRAFT);
  EXPECT_EQ(c.opportunity_id(), id);
  EXPECT_EQ(c.account_id(), account_);
  EXPECT_EQ(c.owner_id(), rep_.user_id);
  EXPECT_EQ(c.type(), opb::CONTRACT_TYPE_NEW);
  EXPECT_EQ(c.title(), "合同机会");
  EXPECT_EQ(c.amount().currency_code(), "CNY");
  EXPECT_EQ(c.amount().amount_minor(), 880000);
  // Today in UTC+8; one year less a day; one installment 30 days after
  // the start.
  const absl::CivilDay today =
      absl::ToCivilDay(h_.clock().Now(), absl::FixedTimeZone(8 * 3600));
  EXPECT_EQ(c.start_date(), absl::FormatCivilTime(today));
  EXPECT_EQ(
      c.end_date(),
      absl::FormatCivilTime(
          absl::CivilDay(today.year() + 1, today.month(), today.day()) - 1));
  ASSERT_EQ(c.installments_size(), 1);
  EXPECT_EQ(c.installments(0).due_date(), absl::FormatCivilTime(today + 30));
  EXPECT_EQ(c.installments(0).amount().amount_minor(), 880000);

  // The win's event carries the contract id.
  auto won = h_.Events("OpportunityWon");
  ASSERT_EQ(won.size(), 1u);
  EXPECT_EQ(won[0]["contract_ref"], o.contract_ref());

  // MarkWon again: already won, and still one contract.
  s = h_.WonWithContract(rep_.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Contracts(id), 1);
}

TEST_F(OpportunitiesWonTest, ExplicitDates) {
  const int64_t id = Fresh(120000);
  pb::Opportunity o;
  grpc::Status s =
      h_.WonWithContract(rep_.token, id, &o, "2024-02-29", "2024-12-31");
  ASSERT_TRUE(s.ok()) << s.error_message();
  opb::Contract c;
  ASSERT_TRUE(
      h_.orders().Get(rep_.token, std::stoll(o.contract_ref()), &c).ok());
  EXPECT_EQ(c.start_date(), "2024-02-29");
  EXPECT_EQ(c.end_date(), "2024-12-31");
  ASSERT_EQ(c.installments_size(), 1);
  EXPECT_EQ(c.installments(0).due_date(), "2024-03-30");
  // Default end of a Feb 29 start: Feb 28 of the next year.
  const int64_t id2 = Fresh(120000);
  ASSERT_TRUE(h_.WonWithContract(rep_.token, id2, &o, "2024-02-29").ok());
  ASSERT_TRUE(
      h_.orders().Get(rep_.token, std::stoll(o.contract_ref()), &c).ok());
  EXPECT_EQ(c.end_date(), "2025-02-28");
}

TEST_F(OpportunitiesWonTest, RetryAfterFailureFindsTheSameContract) {
  // The first attempt reached orders, then failed before the local write:
  // orders holds the contract under the request id opportunities uses.
  const int64_t id = Fresh();
  opb::Contract draft = testing::OrdersHarness::Draft(account_, 880000);
  draft.set_opportunity_id(id);
  opb::Contract first;
  grpc::Status s = h_.orders().Create(rep_.token, draft, &first,
                                      absl::StrCat("opp-", id, "-contract"));
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(StatusOf(id), pb::OPPORTUNITY_STATUS_OPEN);

  pb::Opportunity o;
  s = h_.WonWithContract(rep_.token, id, &o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(o.contract_ref(), absl::StrCat(first.id()));
  EXPECT_EQ(Contracts(id), 1);
}

TEST_F(OpportunitiesWonTest, AmountRequired) {
  const int64_t id = Fresh(0);
  grpc::Status s = h_.WonWithContract(rep_.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("amount: required to create a contract"));
  EXPECT_EQ(Contracts(id), 0);
  EXPECT_EQ(StatusOf(id), pb::OPPORTUNITY_STATUS_OPEN);
}

TEST_F(OpportunitiesWonTest, BadRequests) {
  const int64_t id = Fresh();
  // Both a reference and create_contract.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  pb::MarkWonRequest req;
  req.set_opportunity_id(id);
  req.set_contract_ref("HT-1");
  req.set_create_contract(true);
  pb::Opportunity o;
  grpc::Status s = h_.stub().MarkWon(&ctx, req, &o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("create_contract"));
  // Dates without create_contract.
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, rep_.token);
  req.set_create_contract(false);
  req.set_contract_start_date("2024-01-01");
  s = h_.stub().MarkWon(&ctx2, req, &o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("create_contract"));
  // Malformed dates, an end before the start.
  s = h_.WonWithContract(rep_.token, id, &o, "2024-13-01");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contract_start_date"));
  s = h_.WonWithContract(rep_.token, id, &o, "2024-06-01", "2024-05-31");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contract_end_date"));
  // Neither: contract_ref is required.
  s = h_.Won(rep_.token, id, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contract_ref"));
  // An opportunity the caller cannot see: NOT_FOUND, no contract.
  auto other = h_.User("rep2", "e2", "sales_rep");
  s = h_.WonWithContract(other.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Contracts(id), 0);
  EXPECT_EQ(StatusOf(id), pb::OPPORTUNITY_STATUS_OPEN);
}

TEST_F(OpportunitiesWonTest, OrdersErrorsKeepTheirCode) {
  // Orders takes CNY only: its INVALID_ARGUMENT comes back as is.
  const int64_t id = Fresh(50000, "USD");
  grpc::Status s = h_.WonWithContract(rep_.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("orders: "));
  EXPECT_EQ(Contracts(id), 0);
  EXPECT_EQ(StatusOf(id), pb::OPPORTUNITY_STATUS_OPEN);
}

class OpportunitiesWonOrdersDownTest : public OpportunitiesWonTest {
 protected:
  OpportunitiesWonOrdersDownTest()
      : OpportunitiesWonTest(OpportunitiesHarness::Orders::kUnreachable) {}
};

TEST_F(OpportunitiesWonOrdersDownTest, UnavailableAndStillOpen) {
  const int64_t id = Fresh();
  grpc::Status s = h_.WonWithContract(rep_.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("orders: "));
  EXPECT_EQ(StatusOf(id), pb::OPPORTUNITY_STATUS_OPEN);
  // A reference still wins without orders.
  pb::Opportunity o;
  ASSERT_TRUE(h_.Won(rep_.token, id, "HT-9", &o).ok());
  EXPECT_EQ(o.contract_ref(), "HT-9");
}

}  // namespace
}  // namespace crm::opportunities
