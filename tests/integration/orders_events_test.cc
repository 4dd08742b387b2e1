// Orders' events end to end: a real SignContract's ContractSigned goes
// through the orders outbox relay to the stream, and the accounts service
// (in-process, its consumer polled as in accounts_events_test) applies it;
// PaymentReceived and InstallmentOverdue payloads carry the documented
// fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/events/event.h"
#include "common/events/relay.h"
#include "common/redis/streams.h"
#include "services/accounts/accounts_service_events.h"
#include "tests/testing/orders_harness.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;
namespace acpb = crm::accounts::v1;
using testing::OrdersHarness;

nlohmann::json Payload(OrdersHarness& h, const std::string& type) {
  auto conn = h.schema().Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  auto row = (*conn)->QueryOne(
      "SELECT payload FROM outbox WHERE event_type = ? ORDER BY id LIMIT 1",
      {type}, "event");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? nlohmann::json::parse(row->String("payload"))
                  : nlohmann::json();
}

TEST(OrdersEventsTest, AccountsAppliesARealContractSigned) {
  OrdersHarness h;
  auto rep = h.User("rep.e1", "e1", "sales_rep");
  const int64_t account = h.Account(rep.token, "苏州签约事件有限公司");
  EXPECT_NE(h.accounts().GetAccountOk(account).status(),
            acpb::ACCOUNT_STATUS_SIGNED);
  pb::Contract draft = OrdersHarness::Draft(account, 2'000'000, 2);
  draft.set_opportunity_id(77);
  pb::Contract c = h.SignedContract(rep.token, draft);

  nlohmann::json p = Payload(h, "ContractSigned");
  EXPECT_EQ(p["contract_id"], absl::StrCat(c.id()));
  EXPECT_EQ(p["account_id"], account);
  EXPECT_EQ(p["amount_minor"], 2'000'000);
  EXPECT_EQ(p["currency"], "CNY");
  EXPECT_EQ(p["owner_id"], rep.user_id);
  EXPECT_EQ(p["owner_org_path"], h.Path("e1"));
  EXPECT_EQ(p["contract_type"], "new");
  EXPECT_EQ(p["opportunity_id"], 77);
  absl::Time signed_at;
  ASSERT_TRUE(
      events::ParseOccurredAt(p["signed_at"].get<std::string>(), &signed_at));
  EXPECT_EQ(absl::ToUnixSeconds(signed_at), c.signed_at().seconds());
  // The contract's last day (YYYY-MM-DD): accounts protects the customer
  // from recycling until then.
  EXPECT_EQ(p["end_date"], c.end_date());
  EXPECT_EQ(p.size(), 10u);

  // Relay orders' outbox to the stream; accounts' consumer applies it.
  events::OutboxRelay relay(h.schema().Pool(), h.redis(),
                            events::RelayOptions{.name = "orders"});
  absl::StatusOr<int> published = relay.RunOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_GE(*published, 1);
  accounts::AccountsEventConsumers consumers(
      h.accounts().schema().Pool(), h.redis(),
      h.accounts().identity().shared_clock(), accounts::ClaimRules{}, "t1");
  absl::StatusOr<int> n = consumers.PollOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_GE(*n, 1);
  EXPECT_EQ(consumers.orders().stats().failed, 0);
  acpb::Account a = h.accounts().GetAccountOk(account);
  EXPECT_EQ(a.status(), acpb::ACCOUNT_STATUS_SIGNED);
  EXPECT_EQ(a.signed_amount().amount_minor(), 2'000'000);
  EXPECT_EQ(h.accounts().QueryInt(
                absl::StrCat("SELECT COUNT(*) AS c FROM signed_contracts "
                             "WHERE contract_id = '",
                             c.id(), "'"),
                "c"),
            1);
}

TEST(OrdersEventsTest, PaymentAndOverduePayloads) {
  OrdersHarness h;
  auto rep = h.User("rep.e1", "e1", "sales_rep");
  const int64_t account = h.Account(rep.token, "无锡回款事件有限公司");
  pb::Contract c = h.SignedContract(
      rep.token, OrdersHarness::Draft(account, 1000, 2, "2026-01-10"));
  ASSERT_TRUE(h.Pay(h.Finance(), c.id(), 250, "2026-01-05", "EV-1").ok());
  nlohmann::json pay = Payload(h, "PaymentReceived");
  EXPECT_EQ(pay["contract_id"], absl::StrCat(c.id()));
  EXPECT_EQ(pay["account_id"], account);
  EXPECT_EQ(pay["amount_minor"], 250);
  EXPECT_EQ(pay["received_date"], "2026-01-05");
  EXPECT_EQ(pay["reference"], "EV-1");
  EXPECT_EQ(pay["refund"], false);
  EXPECT_EQ(pay["owner_id"], rep.user_id);
  EXPECT_EQ(pay["contract_received_minor"], 250);

  grpc::ClientContext ctx;
  client::Prepare(&ctx, h.Admin());
  pb::RunOverdueCheckRequest req;
  req.mutable_as_of()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(2026, 1, 13), absl::UTCTimeZone())));
  pb::RunOverdueCheckResponse resp;
  ASSERT_TRUE(h.stub().RunOverdueCheck(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.newly_overdue(), 1);
  nlohmann::json od = Payload(h, "InstallmentOverdue");
  EXPECT_EQ(od["contract_id"], absl::StrCat(c.id()));
  EXPECT_EQ(od["installment_id"], c.installments(0).id());
  EXPECT_EQ(od["account_id"], account);
  EXPECT_EQ(od["owner_id"], rep.user_id);
  EXPECT_EQ(od["owner_org_path"], h.Path("e1"));
  EXPECT_EQ(od["amount_due_minor"], 250);
  EXPECT_EQ(od["due_date"], "2026-01-10");
  EXPECT_EQ(od["days_overdue"], 3);
}

}  // namespace
}  // namespace crm::orders
