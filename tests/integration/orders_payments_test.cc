// Payments and collection against real MariaDB/Redis: allocation oldest
// due first, partial and duplicate payments, over-collection, refunds,
// scope, overdue at the boundary day (once), the pending-collection list.
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

google::protobuf::Timestamp At(const std::string& day) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime("%Y-%m-%d", day, absl::UTCTimeZone(), &t, &err));
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t) + 3600);  // 01:00 UTC that day
  return ts;
}

class OrdersPaymentsTest : public ::testing::Test {
 protected:
  OrdersPaymentsTest() {
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    rep2_ = h_.User("rep.e2", "e2", "sales_rep");
    mgr_ = h_.User("mgr.e1", "e1", "sales_manager");
    fin_ = h_.Finance();
    account_ = h_.Account(rep_.token, "苏州回款测试有限公司");
    // 300 + 300 + 400 due 2026-01-10, 02-10, 03-10.
    pb::Contract draft = OrdersHarness::Draft(account_, 1000, 3, "2026-01-10");
    draft.mutable_installments(0)->mutable_amount()->set_amount_minor(300);
    draft.mutable_installments(1)->mutable_amount()->set_amount_minor(300);
    draft.mutable_installments(2)->mutable_amount()->set_amount_minor(400);
    contract_ = h_.SignedContract(rep_.token, draft);
  }

  pb::Contract Reload() {
    pb::Contract c;
    EXPECT_TRUE(h_.Get(fin_, contract_.id(), &c).ok());
    return c;
  }

  int64_t Overdue(const std::string& day) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::RunOverdueCheckRequest req;
    *req.mutable_as_of() = At(day);
    pb::RunOverdueCheckResponse resp;
    grpc::Status s = h_.stub().RunOverdueCheck(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.newly_overdue();
  }

  pb::ListPendingCollectionsResponse Pending(const std::string& token,
                                             const std::string& day,
                                             int64_t owner = 0,
                                             const std::string& path = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListPendingCollectionsRequest req;
    *req.mutable_as_of() = At(day);
    req.set_owner_id(owner);
    req.set_org_path(path);
    pb::ListPendingCollectionsResponse resp;
    grpc::Status s = h_.stub().ListPendingCollections(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  OrdersHarness h_;
  OrdersHarness::Login rep_, rep2_, mgr_;
  std::string fin_;
  int64_t account_ = 0;
  pb::Contract contract_;
};

TEST_F(OrdersPaymentsTest, AllocatesOldestDueFirstWithPartials) {
  pb::Payment p;
  ASSERT_TRUE(
      h_.Pay(fin_, contract_.id(), 450, "2026-01-09", "BANK-1", &p).ok());
  ASSERT_EQ(p.allocations_size(), 2);
  EXPECT_EQ(p.allocations(0).installment_index(), 0);
  EXPECT_EQ(p.allocations(0).amount().amount_minor(), 300);
  EXPECT_EQ(p.allocations(1).installment_index(), 1);
  EXPECT_EQ(p.allocations(1).amount().amount_minor(), 150);
  pb::Contract c = Reload();
  EXPECT_EQ(c.received().amount_minor(), 450);
  EXPECT_EQ(c.installments(0).status(), pb::INSTALLMENT_STATUS_PAID);
  EXPECT_EQ(c.installments(1).paid().amount_minor(), 150);
  EXPECT_EQ(c.installments(1).status(), pb::INSTALLMENT_STATUS_OPEN);

  // Directed to the last installment.
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 400, "2026-01-20", "BANK-2", &p, "",
                     /*installment_number=*/3)
                  .ok());
  EXPECT_EQ(p.allocations(0).installment_index(), 2);
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 150, "2026-01-21", "BANK-3").ok());
  c = Reload();
  EXPECT_EQ(c.received().amount_minor(), 1000);
  for (const auto& i : c.installments())
    EXPECT_EQ(i.status(), pb::INSTALLMENT_STATUS_PAID);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                        "'PaymentReceived'"),
            3);
}

TEST_F(OrdersPaymentsTest, DuplicateReferenceIsIdempotent) {
  pb::Payment a, b;
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 200, "2026-01-09", "DUP", &a).ok());
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 200, "2026-01-09", "DUP", &b).ok());
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(Reload().received().amount_minor(), 200);
  // The same reference for another amount is a clash, naming the payment.
  grpc::Status s = h_.Pay(fin_, contract_.id(), 300, "2026-01-09", "DUP");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("payment ", a.id())));
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM payments"), 1);
}

TEST_F(OrdersPaymentsTest, ConcurrentDuplicatesRecordOnce) {
  std::vector<std::thread> threads;
  std::vector<grpc::Status> results(6);
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      results[i] = h_.Pay(fin_, contract_.id(), 100, "2026-01-09", "RACE");
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM payments"), 1);
  EXPECT_EQ(Reload().received().amount_minor(), 100);
}

TEST_F(OrdersPaymentsTest, OverCollectionIsRefusedNamingTheInstallment) {
  grpc::Status s = h_.Pay(fin_, contract_.id(), 1001, "2026-01-09", "BIG");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("over-collect"));
  EXPECT_THAT(s.error_message(), HasSubstr("installments[2]"));
  s = h_.Pay(fin_, contract_.id(), 301, "2026-01-09", "ONE", nullptr, "", 1);
  EXPECT_THAT(s.error_message(), HasSubstr("installments[0].amount"));
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 900, "2026-01-09", "MOST").ok());
  s = h_.Pay(fin_, contract_.id(), 101, "2026-01-09", "REST");
  EXPECT_THAT(s.error_message(), HasSubstr("only 100 outstanding"));
  EXPECT_EQ(Reload().received().amount_minor(), 900);
}

TEST_F(OrdersPaymentsTest, BadInputAndRoles) {
  EXPECT_EQ(
      h_.Pay(rep_.token, contract_.id(), 1, "2026-01-09", "R").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  struct Case {
    int64_t contract;
    int64_t amount;
    const char* date;
    const char* ref;
    const char* reason;
    int number;
    const char* field;
  };
  for (const Case& k : std::vector<Case>{
           {0, 1, "2026-01-09", "A", "", 0, "contract_id"},
           {contract_.id(), 0, "2026-01-09", "A", "", 0, "amount"},
           {contract_.id(), 1, "2026-13-09", "A", "", 0, "received_date"},
           {contract_.id(), 1, "2026-01-09", "", "", 0, "reference"},
           {contract_.id(), -1, "2026-01-09", "A", "", 0, "reason"},
           {contract_.id(), 1, "2026-01-09", "A", "", -1, "installment_number"},
           {contract_.id(), 1, "2026-01-09", "A", "", 9, "installment_number"},
       }) {
    grpc::Status s = h_.Pay(fin_, k.contract, k.amount, k.date, k.ref, nullptr,
                            k.reason, k.number);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << k.field;
    EXPECT_THAT(s.error_message(), HasSubstr(k.field));
  }
  EXPECT_EQ(h_.Pay(fin_, 99999, 1, "2026-01-09", "A").error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Unsigned contracts take no money.
  pb::Contract draft;
  ASSERT_TRUE(
      h_.Create(rep_.token, OrdersHarness::Draft(account_, 10), &draft).ok());
  EXPECT_EQ(h_.Pay(fin_, draft.id(), 1, "2026-01-09", "D").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(OrdersPaymentsTest, FinanceOutsideTheScopeSeesNothing) {
  const std::string north_fin = h_.User("fin.north", "north", "finance").token;
  EXPECT_EQ(
      h_.Pay(north_fin, contract_.id(), 1, "2026-01-09", "N").error_code(),
      grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep2_.token);
  pb::ListPaymentsRequest req;
  req.set_contract_id(contract_.id());
  pb::ListPaymentsResponse resp;
  EXPECT_EQ(h_.stub().ListPayments(&ctx, req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrdersPaymentsTest, RefundsAreNegativeEntriesWithAReason) {
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 500, "2026-01-09", "IN").ok());
  pb::Payment refund;
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), -250, "2026-01-15", "OUT", &refund,
                     "duplicate transfer")
                  .ok());
  EXPECT_EQ(refund.amount().amount_minor(), -250);
  EXPECT_EQ(refund.reason(), "duplicate transfer");
  // Taken back latest due first: 200 from installment 1, 50 from 0.
  ASSERT_EQ(refund.allocations_size(), 2);
  EXPECT_EQ(refund.allocations(0).installment_index(), 1);
  EXPECT_EQ(refund.allocations(0).amount().amount_minor(), -200);
  EXPECT_EQ(refund.allocations(1).amount().amount_minor(), -50);
  pb::Contract c = Reload();
  EXPECT_EQ(c.received().amount_minor(), 250);
  EXPECT_EQ(c.installments(0).paid().amount_minor(), 250);
  grpc::Status s = h_.Pay(fin_, contract_.id(), -251, "2026-01-15", "OUT2",
                          nullptr, "too much");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("exceeds the 250 received"));
}

TEST_F(OrdersPaymentsTest, OverdueAtTheBoundaryDayOnce) {
  // Installment 0 is due 2026-01-10: not overdue on that day.
  EXPECT_EQ(Overdue("2026-01-10"), 0);
  EXPECT_EQ(Pending(fin_, "2026-01-10").items_size(), 0);
  EXPECT_EQ(Overdue("2026-01-11"), 1);
  EXPECT_EQ(Overdue("2026-01-11"), 0);  // once
  EXPECT_EQ(Overdue("2026-01-20"), 0);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                        "'InstallmentOverdue'"),
            1);
  auto list = Pending(fin_, "2026-01-20");
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).contract_id(), contract_.id());
  EXPECT_EQ(list.items(0).installment_index(), 0);
  EXPECT_EQ(list.items(0).days_overdue(), 10);
  EXPECT_EQ(list.items(0).outstanding().amount_minor(), 300);
  EXPECT_EQ(list.items(0).owner_id(), rep_.user_id);
  EXPECT_EQ(list.total_outstanding().amount_minor(), 300);
  EXPECT_EQ(Reload().installments(0).status(), pb::INSTALLMENT_STATUS_OVERDUE);

  // A partial payment leaves it on the list with less outstanding.
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 100, "2026-01-21", "P1").ok());
  list = Pending(fin_, "2026-01-21");
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).outstanding().amount_minor(), 200);
  // Paying it off takes it off the list.
  ASSERT_TRUE(h_.Pay(fin_, contract_.id(), 200, "2026-01-22", "P2").ok());
  EXPECT_EQ(Pending(fin_, "2026-01-22").items_size(), 0);
  // Installment 1 (due 02-10) turns overdue from 02-11.
  EXPECT_EQ(Overdue("2026-02-10"), 0);
  EXPECT_EQ(Overdue("2026-02-11"), 1);
}

TEST_F(OrdersPaymentsTest, PendingCollectionsByOwnerAndTeam) {
  const int64_t acc2 = h_.Account(rep2_.token, "无锡催收测试有限公司");
  pb::Contract c2 = h_.SignedContract(
      rep2_.token, OrdersHarness::Draft(acc2, 600, 2, "2026-01-05"));
  EXPECT_EQ(Overdue("2026-03-01"), 4);
  auto event = h_.QueryInt(
      "SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
      "'InstallmentOverdue' AND JSON_VALUE(payload, '$.days_overdue') = 50 "
      "AND JSON_VALUE(payload, '$.amount_due_minor') = 300");
  EXPECT_EQ(event, 1);
  EXPECT_EQ(Pending(fin_, "2026-03-01").items_size(), 4);
  EXPECT_EQ(Pending(fin_, "2026-03-01", rep2_.user_id).items_size(), 2);
  EXPECT_EQ(Pending(fin_, "2026-03-01", 0, h_.Path("e1")).items_size(), 2);
  EXPECT_EQ(Pending(fin_, "2026-03-01", 0, h_.Path("east")).items_size(), 4);
  // A rep sees their own; a team manager their team.
  EXPECT_EQ(Pending(rep_.token, "2026-03-01").items_size(), 2);
  EXPECT_EQ(Pending(mgr_.token, "2026-03-01").items_size(), 2);
  EXPECT_EQ(Pending(rep_.token, "2026-03-01", rep2_.user_id).items_size(), 0);
  // Only admins run the check.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, fin_);
  pb::RunOverdueCheckRequest req;
  pb::RunOverdueCheckResponse resp;
  EXPECT_EQ(h_.stub().RunOverdueCheck(&ctx, req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  (void)c2;
}

}  // namespace
}  // namespace crm::orders
