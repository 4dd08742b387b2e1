// Products, regional price lists, quotes with discount approval, contracts
// from quotes, and invoices that never exceed the contract.
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

class OrdersQuotesTest : public ::testing::Test {
 protected:
  OrdersQuotesTest() {
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    rep2_ = h_.User("rep.e2", "e2", "sales_rep");
    mgr_ = h_.User("mgr.e1", "e1", "sales_manager");
    boss_ = h_.User("boss.root", "root", "boss");
    account_ = h_.Account(rep_.token, "苏州报价测试有限公司");
  }

  grpc::Status CreateProduct(const std::string& token, const std::string& sku,
                             int64_t price, pb::Product* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateProductRequest req;
    req.mutable_product()->set_sku(sku);
    req.mutable_product()->set_name("CRM seat");
    req.mutable_product()->set_unit("seat/year");
    req.mutable_product()->mutable_list_price()->set_amount_minor(price);
    return h_.stub().CreateProduct(&ctx, req, out);
  }

  grpc::Status Quote(const std::string& token, int64_t product, int64_t qty,
                     int discount, pb::Quote* out,
                     const std::string& region = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateQuoteRequest req;
    req.mutable_quote()->set_account_id(account_);
    req.mutable_quote()->set_region_code(region);
    pb::QuoteLine* l = req.mutable_quote()->add_lines();
    l->set_product_id(product);
    l->set_quantity(qty);
    l->set_discount_bp(discount);
    return h_.stub().CreateQuote(&ctx, req, out);
  }

  grpc::Status Invoice(const std::string& token, int64_t contract,
                       int64_t amount, pb::Invoice* out,
                       const std::string& rid = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::RequestInvoiceRequest req;
    req.set_contract_id(contract);
    req.mutable_amount()->set_amount_minor(amount);
    req.set_request_id(rid);
    return h_.stub().RequestInvoice(&ctx, req, out);
  }

  OrdersHarness h_;
  OrdersHarness::Login rep_, rep2_, mgr_, boss_;
  int64_t account_ = 0;
};

TEST_F(OrdersQuotesTest, CatalogueAndRegionalPrices) {
  pb::Product p;
  ASSERT_TRUE(CreateProduct(h_.Admin(), "CRM-SEAT", 120000, &p).ok());
  EXPECT_TRUE(p.active());
  pb::Product dup;
  grpc::Status s = CreateProduct(h_.Admin(), "CRM-SEAT", 1, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("product ", p.id())));
  EXPECT_EQ(CreateProduct(rep_.token, "X-1", 1, &dup).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(CreateProduct(h_.Admin(), "bad sku", 1, &dup).error_message(),
              HasSubstr("sku"));
  EXPECT_THAT(CreateProduct(h_.Admin(), "NEG", -1, &dup).error_message(),
              HasSubstr("list_price"));

  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::SetRegionPriceRequest rp;
  rp.mutable_price()->set_product_id(p.id());
  rp.mutable_price()->set_region_code("east");
  rp.mutable_price()->mutable_price()->set_amount_minor(100000);
  pb::RegionPrice out;
  ASSERT_TRUE(h_.stub().SetRegionPrice(&ctx, rp, &out).ok());
  pb::Quote east, north;
  ASSERT_TRUE(Quote(rep_.token, p.id(), 2, 0, &east, "east").ok());
  EXPECT_EQ(east.lines(0).unit_price().amount_minor(), 100000);
  EXPECT_EQ(east.total().amount_minor(), 200000);
  ASSERT_TRUE(Quote(rep_.token, p.id(), 2, 0, &north, "north").ok());
  EXPECT_EQ(north.lines(0).unit_price().amount_minor(), 120000);

  // Deactivated products cannot be quoted.
  grpc::ClientContext uctx;
  client::Prepare(&uctx, h_.Admin());
  pb::UpdateProductRequest up;
  up.mutable_product()->set_id(p.id());
  up.mutable_product()->set_active(false);
  up.mutable_update_mask()->add_paths("active");
  ASSERT_TRUE(h_.stub().UpdateProduct(&uctx, up, &dup).ok());
  EXPECT_FALSE(dup.active());
  pb::Quote q;
  s = Quote(rep_.token, p.id(), 1, 0, &q);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("lines[0].product_id"));
}

TEST_F(OrdersQuotesTest, DiscountsBeyondTheLimitNeedAManager) {
  pb::Product p;
  ASSERT_TRUE(CreateProduct(h_.Admin(), "CRM-PRO", 9999, &p).ok());
  pb::Quote ok;
  ASSERT_TRUE(Quote(rep_.token, p.id(), 3, 1000, &ok).ok());
  EXPECT_EQ(ok.status(), pb::QUOTE_STATUS_APPROVED);
  // 9999 * 3 * 0.9 = 26997.3 -> 26997
  EXPECT_EQ(ok.total().amount_minor(), 26997);
  EXPECT_EQ(ok.list_total().amount_minor(), 29997);

  pb::Quote big;
  ASSERT_TRUE(Quote(rep_.token, p.id(), 1, 2000, &big).ok());
  EXPECT_EQ(big.status(), pb::QUOTE_STATUS_PENDING_APPROVAL);
  grpc::ClientContext c1;
  client::Prepare(&c1, rep_.token);
  pb::ApproveQuoteRequest ar;
  ar.set_id(big.id());
  pb::Quote out;
  EXPECT_EQ(h_.stub().ApproveQuote(&c1, ar, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext c2;
  client::Prepare(&c2, mgr_.token);
  ASSERT_TRUE(h_.stub().ApproveQuote(&c2, ar, &out).ok());
  EXPECT_EQ(out.status(), pb::QUOTE_STATUS_APPROVED);
  EXPECT_EQ(out.decided_by(), mgr_.user_id);

  // 40% is beyond a manager's 25%: the boss decides.
  pb::Quote huge;
  ASSERT_TRUE(Quote(rep_.token, p.id(), 1, 4000, &huge).ok());
  ar.set_id(huge.id());
  grpc::ClientContext c3;
  client::Prepare(&c3, mgr_.token);
  grpc::Status s = h_.stub().ApproveQuote(&c3, ar, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("beyond your limit"));
  grpc::ClientContext c4;
  client::Prepare(&c4, boss_.token);
  pb::RejectQuoteRequest rr;
  rr.set_id(huge.id());
  EXPECT_EQ(h_.stub().RejectQuote(&c4, rr, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // comment required
  rr.set_comment("too deep");
  grpc::ClientContext c5;
  client::Prepare(&c5, boss_.token);
  ASSERT_TRUE(h_.stub().RejectQuote(&c5, rr, &out).ok());
  EXPECT_EQ(out.status(), pb::QUOTE_STATUS_REJECTED);
  grpc::ClientContext c6;
  client::Prepare(&c6, boss_.token);
  EXPECT_EQ(h_.stub().ApproveQuote(&c6, ar, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Quotes follow the owner's scope.
  grpc::ClientContext c7;
  client::Prepare(&c7, rep2_.token);
  pb::GetQuoteRequest gr;
  gr.set_id(ok.id());
  EXPECT_EQ(h_.stub().GetQuote(&c7, gr, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A contract from a quote: approved, same account, same total.
  pb::Contract from = OrdersHarness::Draft(account_, 26997);
  from.set_quote_id(ok.id());
  pb::Contract c;
  ASSERT_TRUE(h_.Create(rep_.token, from, &c).ok());
  EXPECT_EQ(c.quote_id(), ok.id());
  from = OrdersHarness::Draft(account_, 26000);
  from.set_quote_id(ok.id());
  s = h_.Create(rep_.token, from, &c);
  EXPECT_THAT(s.error_message(), HasSubstr("amount: must equal the quote"));
  from = OrdersHarness::Draft(account_, 9999 - 4000 * 9999 / 10000);
  from.set_quote_id(huge.id());
  s = h_.Create(rep_.token, from, &c);
  EXPECT_THAT(s.error_message(), HasSubstr("quote_id"));
}

TEST_F(OrdersQuotesTest, InvoicesNeverExceedTheContract) {
  pb::Contract c =
      h_.SignedContract(rep_.token, OrdersHarness::Draft(account_, 1000, 2));
  const std::string fin = h_.Finance();
  pb::Invoice a, b, again;
  ASSERT_TRUE(Invoice(rep_.token, c.id(), 600, &a, "inv-1").ok());
  EXPECT_EQ(a.status(), pb::INVOICE_STATUS_REQUESTED);
  ASSERT_TRUE(Invoice(rep_.token, c.id(), 600, &again, "inv-1").ok());
  EXPECT_EQ(again.id(), a.id());  // retry
  grpc::Status s = Invoice(rep_.token, c.id(), 401, &b);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("above the contract amount 1000"));
  ASSERT_TRUE(Invoice(fin, c.id(), 400, &b).ok());
  EXPECT_EQ(Invoice(rep2_.token, c.id(), 1, &b).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Invoice(rep_.token, c.id(), 0, &b).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext i1;
  client::Prepare(&i1, rep_.token);
  pb::IssueInvoiceRequest ir;
  ir.set_id(a.id());
  ir.set_invoice_number("044031900111-00012345");
  pb::Invoice out;
  EXPECT_EQ(h_.stub().IssueInvoice(&i1, ir, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext i2;
  client::Prepare(&i2, fin);
  ASSERT_TRUE(h_.stub().IssueInvoice(&i2, ir, &out).ok());
  EXPECT_EQ(out.status(), pb::INVOICE_STATUS_ISSUED);
  grpc::ClientContext i3;
  client::Prepare(&i3, fin);
  EXPECT_EQ(h_.stub().IssueInvoice(&i3, ir, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Voiding frees the amount again.
  grpc::ClientContext v1;
  client::Prepare(&v1, fin);
  pb::VoidInvoiceRequest vr;
  vr.set_id(a.id());
  EXPECT_EQ(h_.stub().VoidInvoice(&v1, vr, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // reason
  vr.set_reason("wrong title");
  grpc::ClientContext v2;
  client::Prepare(&v2, fin);
  ASSERT_TRUE(h_.stub().VoidInvoice(&v2, vr, &out).ok());
  EXPECT_EQ(out.status(), pb::INVOICE_STATUS_VOID);
  ASSERT_TRUE(Invoice(rep_.token, c.id(), 600, &b).ok());
  grpc::ClientContext l1;
  client::Prepare(&l1, rep_.token);
  pb::ListInvoicesRequest lr;
  lr.set_contract_id(c.id());
  pb::ListInvoicesResponse list;
  ASSERT_TRUE(h_.stub().ListInvoices(&l1, lr, &list).ok());
  EXPECT_EQ(list.invoices_size(), 3);

  // Unsigned contracts get no invoices.
  pb::Contract draft;
  ASSERT_TRUE(
      h_.Create(rep_.token, OrdersHarness::Draft(account_, 10), &draft).ok());
  EXPECT_EQ(Invoice(rep_.token, draft.id(), 5, &b).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace crm::orders
