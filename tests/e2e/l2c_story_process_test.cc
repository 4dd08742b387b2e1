// The lead-to-cash story of issue 11, end to end: every service binary and
// the gateway run as processes (testing::ProcessSuite, wired like `crmctl
// up`), and the story is told through the gateway's HTTP/JSON API, with
// gRPC only for the internal admin RPCs the gateway does not expose
// (RunOverdueCheck, RunRecycle, RunSlaCheck).
//
//   landing-page form -> lead (cleaned: name trimmed, phone in E.164; a
//   double submit is the same lead, a second visit is merged into it)
//   -> auto-assigned by a rule -> followed up -> completed by the rep
//   -> converted to account + opportunity -> stages -> quote -> contract
//   -> approval -> signed -> won -> paid in two installments, the first
//   late (overdue by the admin check, then paid) -> leaderboard and
//   business summary -> a ticket raised and resolved within its SLA.
//
//   Pool story: a claimed customer without follow-up is recycled by the
//   admin run (as_of 15 days ahead) into the region's pool, claimed by a
//   rep of the same region, refused to a rep of another region.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "crm/tickets/v1/tickets.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "tests/testing/service_process.h"

namespace crm {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr char kLeads[] = "crm.leads.v1.LeadsService";
constexpr char kAccounts[] = "crm.accounts.v1.AccountsService";
constexpr char kOpps[] = "crm.opportunities.v1.OpportunitiesService";
constexpr char kOrders[] = "crm.orders.v1.OrdersService";
constexpr char kTickets[] = "crm.tickets.v1.TicketsService";
constexpr char kIdentity[] = "crm.identity.v1.IdentityService";

// int64 fields are JSON strings in replies (proto3 JSON mapping).
int64_t I64(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  int64_t out = 0;
  if (v.is_string() && absl::SimpleAtoi(v.get<std::string>(), &out)) return out;
  return 0;
}

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(t));
}

class L2cStoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new testing::ProcessSuite();
    started_ = suite_->Start();
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(suite_->Stop());
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << "the suite did not start"; }

  struct Reply {
    int status = 0;
    json body;
  };
  // POST `path` through the gateway with `token` (none if empty).
  Reply Post(const std::string& path, const std::string& token,
             const json& body) {
    httplib::Client c = suite_->gateway().Client();
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto res = c.Post(path, headers, body.dump(), "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  // An RPC through the gateway that must answer 200; its reply.
  json Rpc(const std::string& token, const std::string& service,
           const std::string& method, const json& body) {
    Reply r = Post(absl::StrCat("/v1/", service, "/", method), token, body);
    EXPECT_EQ(r.status, 200) << service << "/" << method << ": " << r.body;
    return r.status == 200 ? r.body : json::object();
  }
  // Logs in over HTTP (POST /v1/login): the reply (accessToken, user).
  json Login(const std::string& username,
             const std::string& password = tools_password()) {
    Reply r =
        Post("/v1/login", "", {{"username", username}, {"password", password}});
    EXPECT_EQ(r.status, 200) << username << ": " << r.body;
    return r.body;
  }
  static std::string tools_password() { return "Demo-pass-2026!"; }
  static std::string Token(const json& login) {
    return login.value("accessToken", "");
  }
  static int64_t UserId(const json& login) {
    return login.contains("user") ? I64(login["user"]["id"]) : 0;
  }

  static testing::ProcessSuite* suite_;
  static bool started_;
};

testing::ProcessSuite* L2cStoryTest::suite_ = nullptr;
bool L2cStoryTest::started_ = false;

TEST_F(L2cStoryTest, LeadToCashToServiceThroughTheGateway) {
  const absl::Time now = absl::Now();
  const json admin = Login("admin", testing::ProcessSuite::kAdminPassword);
  const json boss = Login("boss");
  const json mgr = Login("mgr.east");
  const json rep = Login("rep.sh1.1");
  const json lead_sh1 = Login("lead.sh1");
  const json finance = Login("finance");
  const json other = Login("rep.bj1.1");
  ASSERT_FALSE(Token(rep).empty());
  const int64_t rep_id = UserId(rep);
  ASSERT_GT(rep_id, 0);
  const std::string root_path = boss["user"].value("orgPath", "");
  ASSERT_FALSE(root_path.empty());
  const std::string month = absl::FormatTime("%Y-%m", now, absl::UTCTimeZone());

  // --- 1. A campaign in the east, and its landing-page form. -------------
  const json channel =
      Rpc(Token(mgr), kLeads, "CreateChannel",
          {{"channel", {{"name", "官网落地页"}, {"quality", 80}}},
           {"requestId", "story-channel"}});
  ASSERT_GT(I64(channel["id"]), 0);
  const json campaign = Rpc(Token(mgr), kLeads, "CreateCampaign",
                            {{"campaign",
                              {{"channelId", channel["id"]},
                               {"name", "2026 秋季展会"},
                               {"code", "autumn-expo-story"},
                               {"regionCode", "east"}}},
                             {"requestId", "story-campaign"}});
  ASSERT_GT(I64(campaign["id"]), 0);
  // The team lead's rule: east leads go to rep.sh1.1.
  const json rule = Rpc(Token(lead_sh1), kLeads, "CreateAssignmentRule",
                        {{"rule",
                          {{"orgUnitId", rep["user"]["orgUnitId"]},
                           {"name", "华东落地页"},
                           {"enabled", true},
                           {"regionCodes", {"east"}},
                           {"strategy", "ASSIGN_STRATEGY_ROUND_ROBIN"},
                           {"memberUserIds", {std::to_string(rep_id)}}}}});
  ASSERT_GT(I64(rule["id"]), 0);

  // Bad forms are refused before any lead exists.
  {
    Reply r = Post("/v1/public/leads", "",
                   {{"company_name", "无活动公司"}, {"phone", "13800000000"}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body.value("message", ""), HasSubstr("campaign_key"));
    r = Post("/v1/public/leads", "",
             {{"campaign_key", "no-such-campaign"},
              {"company_name", "上海星河贸易有限公司"},
              {"phone", "13912345678"}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body.value("message", ""), HasSubstr("campaign"));
  }
  const json form = {{"campaign_key", "autumn-expo-story"},
                     {"company_name", "  上海星河贸易有限公司 "},
                     {"contact_name", "王经理"},
                     {"phone", "139 1746 2083"},
                     {"city", "上海"},
                     {"notes", "想了解报价"},
                     {"request_id", "story-form-1"}};
  Reply captured = Post("/v1/public/leads", "", form);
  ASSERT_EQ(captured.status, 200) << captured.body;
  EXPECT_EQ(captured.body.value("received", false), true);
  const int64_t lead_id = I64(captured.body["id"]);
  ASSERT_GT(lead_id, 0);
  EXPECT_FALSE(captured.body.contains("lead"));  // nothing else leaks
  // The same submission again (a double click) is the same lead.
  Reply again = Post("/v1/public/leads", "", form);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(I64(again.body["id"]), lead_id);

  // The same prospect again from another visit (another submission, the
  // phone written differently): merged into the open lead.
  json second = form;
  second["phone"] = "+86 139-1746-2083";
  second["notes"] = "再次咨询";
  second["request_id"] = "story-form-2";
  Reply merged = Post("/v1/public/leads", "", second);
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(I64(merged.body["id"]), lead_id);

  // --- 2. Cleaned and pooled, then assigned by the rule. ----------------
  json lead = Rpc(Token(mgr), kLeads, "GetLead", {{"id", lead_id}});
  EXPECT_EQ(lead.value("status", ""), "LEAD_STATUS_NEW");
  EXPECT_EQ(lead.value("phone", ""), "+8613917462083");
  EXPECT_EQ(lead.value("companyName", ""), "上海星河贸易有限公司");
  EXPECT_EQ(lead.value("regionCode", ""), "east");
  EXPECT_EQ(lead.value("captureCount", 0), 2);
  EXPECT_EQ(I64(lead["campaignId"]), I64(campaign["id"]));
  EXPECT_EQ(I64(lead["ownerId"]), 0);
  // The rep cannot see a pooled lead of the team's rule yet... the lead
  // manager assigns by the rule.
  const json assigned = Rpc(Token(lead_sh1), kLeads, "AutoAssign",
                            {{"orgUnitId", rep["user"]["orgUnitId"]},
                             {"leadIds", {std::to_string(lead_id)}}});
  EXPECT_EQ(I64(assigned["assigned"]), 1) << assigned;
  lead = Rpc(Token(rep), kLeads, "GetLead", {{"id", lead_id}});
  EXPECT_EQ(I64(lead["ownerId"]), rep_id);
  EXPECT_EQ(lead.value("status", ""), "LEAD_STATUS_ASSIGNED");
  // Another region's rep does not see it at all.
  EXPECT_EQ(Post(absl::StrCat("/v1/", kLeads, "/GetLead"), Token(other),
                 {{"id", lead_id}})
                .status,
            404);

  // --- 3. Followed up and completed by the rep. --------------------------
  lead = Rpc(Token(rep), kLeads, "AddLeadFollowUp",
             {{"leadId", lead_id},
              {"kind", "FOLLOW_UP_KIND_CALL"},
              {"content", "电话沟通，客户有采购意向"},
              {"replied", true}});
  EXPECT_EQ(lead.value("status", ""), "LEAD_STATUS_CONTACTING");
  EXPECT_EQ(lead.value("followUpCount", 0), 1);
  const std::string first17 = "91310000MA1GXT8K1";
  const std::string credit_code =
      first17 + *validate::CreditCodeCheckChar(first17);
  lead = Rpc(Token(rep), kLeads, "UpdateLead",
             {{"lead",
               {{"id", lead_id},
                {"creditCode", credit_code},
                {"industry", "贸易"},
                {"companySize", 120}}},
              {"updateMask", "creditCode,industry,companySize"}});
  EXPECT_EQ(lead.value("creditCode", ""), credit_code);

  // --- 4. Converted into an account and an opportunity. -----------------
  const json converted =
      Rpc(Token(rep), kLeads, "ConvertLead",
          {{"leadId", lead_id},
           {"createOpportunity", true},
           {"opportunityName", "星河贸易 年度订阅"},
           {"opportunityAmount",
            {{"currencyCode", "CNY"}, {"amountMinor", "1200000"}}}});
  EXPECT_EQ(converted["lead"].value("status", ""), "LEAD_STATUS_CONVERTED");
  EXPECT_TRUE(converted.value("accountCreated", false));
  const int64_t account_id = I64(converted["accountId"]);
  const int64_t opp_id = I64(converted["opportunityId"]);
  ASSERT_GT(account_id, 0);
  ASSERT_GT(opp_id, 0);
  const json account =
      Rpc(Token(rep), kAccounts, "GetAccount", {{"id", account_id}});
  EXPECT_EQ(account.value("name", ""), "上海星河贸易有限公司");
  EXPECT_EQ(account.value("creditCode", ""), credit_code);
  EXPECT_EQ(I64(account["ownerId"]), rep_id);
  EXPECT_EQ(account.value("regionCode", ""), "east");

  // --- 5. Moved through the stages. -------------------------------------
  json opp = Rpc(Token(rep), kOpps, "GetOpportunity", {{"id", opp_id}});
  EXPECT_EQ(opp.value("stage", ""), "qualify");
  EXPECT_EQ(I64(opp["sourceLeadId"]), lead_id);
  EXPECT_EQ(I64(opp["accountId"]), account_id);
  // Negotiation needs a budget and a decision maker: refused without.
  {
    Reply r = Post(absl::StrCat("/v1/", kOpps, "/MoveStage"), Token(rep),
                   {{"opportunityId", opp_id}, {"stage", "negotiation"}});
    EXPECT_EQ(r.status, 400) << r.body;
  }
  opp = Rpc(Token(rep), kOpps, "MoveStage",
            {{"opportunityId", opp_id},
             {"stage", "needs"},
             {"subStage", "确定意向"}});
  EXPECT_EQ(opp.value("stage", ""), "needs");
  opp = Rpc(Token(rep), kOpps, "MoveStage",
            {{"opportunityId", opp_id}, {"stage", "proposal"}});
  EXPECT_EQ(opp.value("stage", ""), "proposal");
  opp =
      Rpc(Token(rep), kOpps, "UpdateOpportunity",
          {{"opportunity",
            {{"id", opp_id},
             {"budget", {{"currencyCode", "CNY"}, {"amountMinor", "1500000"}}},
             {"decisionMaker", "王经理"}}},
           {"updateMask", "budget,decisionMaker"}});
  opp = Rpc(Token(rep), kOpps, "MoveStage",
            {{"opportunityId", opp_id}, {"stage", "negotiation"}});
  EXPECT_EQ(opp.value("stage", ""), "negotiation");
  EXPECT_EQ(opp.value("probabilityBp", 0), 8000);

  // --- 6. Quoted. -------------------------------------------------------
  const json product = Rpc(
      Token(admin), kOrders, "CreateProduct",
      {{"product",
        {{"sku", "STORY-SEAT-Y"},
         {"name", "CRM 年度席位"},
         {"unit", "seat/year"},
         {"listPrice", {{"currencyCode", "CNY"}, {"amountMinor", "600000"}}},
         {"active", true}}}});
  ASSERT_GT(I64(product["id"]), 0);
  const json quote =
      Rpc(Token(rep), kOrders, "CreateQuote",
          {{"quote",
            {{"accountId", account_id},
             {"opportunityId", opp_id},
             {"lines", {{{"productId", product["id"]}, {"quantity", 2}}}}}},
           {"requestId", "story-quote"}});
  EXPECT_EQ(quote.value("status", ""), "QUOTE_STATUS_APPROVED");
  EXPECT_EQ(I64(quote["total"]["amountMinor"]), 1200000);
  const int64_t quote_id = I64(quote["id"]);
  ASSERT_GT(quote_id, 0);

  // --- 7. Contracted from the quote: the first installment is already
  // 10 days past due when signed (it becomes the late one). -------------
  const std::string due1 = Day(now - absl::Hours(24 * 10));
  const std::string due2 = Day(now + absl::Hours(24 * 20));
  const json draft_body = {
      {"contract",
       {{"accountId", account_id},
        {"title", "星河贸易 CRM 年度订阅"},
        {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "1200000"}}},
        {"startDate", Day(now - absl::Hours(24 * 30))},
        {"endDate", Day(now + absl::Hours(24 * 334))},
        {"type", "CONTRACT_TYPE_NEW"},
        {"opportunityId", opp_id},
        {"quoteId", quote_id},
        {"installments",
         {{{"dueDate", due1},
           {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "600000"}}}},
          {{"dueDate", due2},
           {"amount",
            {{"currencyCode", "CNY"}, {"amountMinor", "600000"}}}}}}}},
      {"requestId", "story-contract"}};
  {
    // Not the quote's total: refused, naming the field.
    json wrong = draft_body;
    wrong["contract"]["amount"]["amountMinor"] = "1100000";
    wrong["requestId"] = "story-contract-wrong";
    Reply r = Post(absl::StrCat("/v1/", kOrders, "/CreateContract"), Token(rep),
                   wrong);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.body.value("message", ""), HasSubstr("amount"));
  }
  json contract = Rpc(Token(rep), kOrders, "CreateContract", draft_body);
  const int64_t contract_id = I64(contract["id"]);
  ASSERT_GT(contract_id, 0);
  EXPECT_EQ(contract.value("status", ""), "CONTRACT_STATUS_DRAFT");

  // --- 8. Approved along its chain, then signed. ------------------------
  contract = Rpc(Token(rep), kOrders, "SubmitContract", {{"id", contract_id}});
  ASSERT_TRUE(contract.contains("approvalSteps")) << contract;
  const json steps = contract["approvalSteps"];
  ASSERT_FALSE(steps.empty());
  {
    // Signing before approval is a state-machine violation.
    Reply r = Post(absl::StrCat("/v1/", kOrders, "/SignContract"), Token(rep),
                   {{"id", contract_id}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.body.value("code", ""), "FAILED_PRECONDITION");
    // The rep may not approve their own contract.
    r = Post(absl::StrCat("/v1/", kOrders, "/ApproveContract"), Token(rep),
             {{"id", contract_id}, {"step", 0}});
    EXPECT_EQ(r.status, 403) << r.body;
  }
  for (size_t step = 0; step < steps.size(); ++step) {
    const std::string& approver = steps[step] == "finance" ? Token(finance)
                                  : steps[step] == "boss"  ? Token(boss)
                                                           : Token(lead_sh1);
    contract = Rpc(approver, kOrders, "ApproveContract",
                   {{"id", contract_id}, {"step", step}});
  }
  EXPECT_EQ(contract.value("status", ""), "CONTRACT_STATUS_APPROVED");
  contract = Rpc(Token(rep), kOrders, "SignContract", {{"id", contract_id}});
  EXPECT_EQ(contract.value("status", ""), "CONTRACT_STATUS_SIGNED");
  opp = Rpc(Token(rep), kOpps, "MarkWon",
            {{"opportunityId", opp_id},
             {"contractRef", std::to_string(contract_id)}});
  EXPECT_EQ(opp.value("status", ""), "OPPORTUNITY_STATUS_WON");
  EXPECT_EQ(opp.value("stage", ""), "won");

  // --- 9. Late: the admin's overdue check (gRPC; not exposed over HTTP).
  EXPECT_EQ(Post(absl::StrCat("/v1/", kOrders, "/RunOverdueCheck"),
                 Token(admin), json::object())
                .status,
            404);
  auto orders = crm::orders::v1::OrdersService::NewStub(
      client::MakeChannel(suite_->address("orders")));
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, Token(admin));
    crm::orders::v1::RunOverdueCheckRequest req;
    *req.mutable_as_of() = Ts(now);
    crm::orders::v1::RunOverdueCheckResponse resp;
    grpc::Status s = orders->RunOverdueCheck(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.newly_overdue(), 1);
  }
  {
    // Only admins run it.
    grpc::ClientContext ctx;
    client::Prepare(&ctx, Token(rep));
    crm::orders::v1::RunOverdueCheckRequest req;
    crm::orders::v1::RunOverdueCheckResponse resp;
    EXPECT_EQ(orders->RunOverdueCheck(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  contract = Rpc(Token(rep), kOrders, "GetContract", {{"id", contract_id}});
  ASSERT_EQ(contract["installments"].size(), 2u);
  EXPECT_EQ(contract["installments"][0].value("status", ""),
            "INSTALLMENT_STATUS_OVERDUE");
  EXPECT_EQ(contract["installments"][1].value("status", ""),
            "INSTALLMENT_STATUS_OPEN");
  // The boss's collections list: the late installment, 10 days overdue.
  const json pending =
      Rpc(Token(boss), kOrders, "ListPendingCollections", {{"pageSize", 50}});
  ASSERT_EQ(pending["items"].size(), 1u) << pending;
  EXPECT_EQ(I64(pending["items"][0]["contractId"]), contract_id);
  EXPECT_EQ(pending["items"][0].value("dueDate", ""), due1);
  EXPECT_EQ(pending["items"][0].value("daysOverdue", 0), 10);
  EXPECT_EQ(I64(pending["totalOutstanding"]["amountMinor"]), 600000);
  json summary =
      Rpc(Token(boss), kOrders, "GetBusinessSummary", {{"period", month}});
  EXPECT_EQ(summary.value("overdueInstallments", ""), "1");
  EXPECT_EQ(I64(summary["overdueOutstanding"]["amountMinor"]), 600000);

  // --- 10. Paid: the late installment first, then the second. ----------
  {
    Reply r = Post(absl::StrCat("/v1/", kOrders, "/RecordPayment"), Token(rep),
                   {{"contractId", contract_id},
                    {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "1"}}},
                    {"receivedDate", Day(now)}});
    EXPECT_EQ(r.status, 403) << r.body;  // only finance records payments
  }
  const std::string today = Day(now);
  Rpc(Token(finance), kOrders, "RecordPayment",
      {{"contractId", contract_id},
       {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "600000"}}},
       {"receivedDate", today},
       {"reference", "STORY-PAY-1"}});
  contract = Rpc(Token(rep), kOrders, "GetContract", {{"id", contract_id}});
  EXPECT_EQ(contract["installments"][0].value("status", ""),
            "INSTALLMENT_STATUS_PAID");
  EXPECT_EQ(I64(contract["received"]["amountMinor"]), 600000);
  Rpc(Token(finance), kOrders, "RecordPayment",
      {{"contractId", contract_id},
       {"amount", {{"currencyCode", "CNY"}, {"amountMinor", "600000"}}},
       {"receivedDate", today},
       {"reference", "STORY-PAY-2"}});
  contract = Rpc(Token(rep), kOrders, "GetContract", {{"id", contract_id}});
  EXPECT_EQ(contract["installments"][1].value("status", ""),
            "INSTALLMENT_STATUS_PAID");
  EXPECT_EQ(I64(contract["received"]["amountMinor"]), 1200000);
  EXPECT_TRUE(
      Rpc(Token(boss), kOrders, "ListPendingCollections", {{"pageSize", 50}})
          .value("items", json::array())
          .empty());

  // --- 11. The leaderboard and the business summary show it. -----------
  const json board = Rpc(Token(rep), kOrders, "GetLeaderboard",
                         {{"metric", "METRIC_SIGNED_AMOUNT"},
                          {"periodKind", "PERIOD_KIND_MONTH"}});
  ASSERT_FALSE(board["entries"].empty()) << board;
  EXPECT_EQ(board["entries"][0].value("member", ""), std::to_string(rep_id));
  EXPECT_EQ(I64(board["entries"][0]["score"]), 1200000);
  EXPECT_EQ(I64(board["me"]["rank"]), 1);
  const json received_board = Rpc(Token(rep), kOrders, "GetLeaderboard",
                                  {{"metric", "METRIC_RECEIVED_AMOUNT"},
                                   {"periodKind", "PERIOD_KIND_MONTH"}});
  ASSERT_FALSE(received_board["entries"].empty()) << received_board;
  EXPECT_EQ(I64(received_board["entries"][0]["score"]), 1200000);
  // Targets for the whole company this month, set by the boss.
  for (const auto& [metric, value] :
       {std::pair<const char*, int64_t>{"METRIC_SIGNED_AMOUNT", 2000000},
        {"METRIC_RECEIVED_AMOUNT", 1500000}}) {
    Rpc(Token(boss), kOrders, "SetTarget",
        {{"target",
          {{"orgPath", root_path},
           {"period", month},
           {"metric", metric},
           {"value", std::to_string(value)}}}});
  }
  summary =
      Rpc(Token(boss), kOrders, "GetBusinessSummary", {{"period", month}});
  EXPECT_EQ(summary.value("orgPath", ""), root_path);
  EXPECT_EQ(I64(summary["signedTarget"]["amountMinor"]), 2000000);
  EXPECT_EQ(I64(summary["signed"]["amountMinor"]), 1200000);
  EXPECT_DOUBLE_EQ(summary.value("signedRate", 0.0), 0.6);
  EXPECT_EQ(I64(summary["receivedTarget"]["amountMinor"]), 1500000);
  EXPECT_EQ(I64(summary["received"]["amountMinor"]), 1200000);
  EXPECT_DOUBLE_EQ(summary.value("receivedRate", 0.0), 0.8);
  EXPECT_EQ(I64(summary["contractsSigned"]), 1);
  EXPECT_EQ(I64(summary["newCustomers"]), 1);
  EXPECT_EQ(I64(summary["renewalCustomers"]), 0);
  EXPECT_EQ(I64(summary["overdueInstallments"]), 0);
  // A manager of the other region sees none of it.
  const json north = Rpc(Token(Login("mgr.north")), kOrders,
                         "GetBusinessSummary", {{"period", month}});
  EXPECT_EQ(I64(north["signed"]["amountMinor"]), 0);
  EXPECT_EQ(I64(north["contractsSigned"]), 0);

  // --- 12. A ticket raised and resolved within its SLA. ----------------
  const json support = Login("support.mgr");
  const json agent = Login("agent.1");
  Rpc(Token(support), kTickets, "UpsertTicketType",
      {{"key", "repair"}, {"name", "维修"}, {"requiresContract", true}});
  const json group = Rpc(Token(support), kTickets, "CreateSupportGroup",
                         {{"name", "上海售后"}});
  const int64_t group_id = I64(group["id"]);
  ASSERT_GT(group_id, 0);
  Rpc(Token(support), kTickets, "SetGroupAgent",
      {{"groupId", group_id},
       {"agent",
        {{"userId", std::to_string(UserId(agent))}, {"active", true}}}});
  json ticket = Rpc(Token(rep), kTickets, "CreateTicket",
                    {{"ticket",
                      {{"typeKey", "repair"},
                       {"priority", "PRIORITY_HIGH"},
                       {"accountId", account_id},
                       {"contractId", contract_id},
                       {"groupId", group_id},
                       {"title", "系统无法登录"},
                       {"channel", "CHANNEL_CUSTOMER"}}}});
  const int64_t ticket_id = I64(ticket["id"]);
  ASSERT_GT(ticket_id, 0);
  EXPECT_FALSE(ticket.value("billable", true));  // under the signed contract
  ASSERT_TRUE(ticket.contains("resolutionDue")) << ticket;
  ticket = Rpc(Token(agent), kTickets, "GrabTicket", {{"id", ticket_id}});
  EXPECT_EQ(I64(ticket["assigneeId"]), UserId(agent));
  Rpc(Token(agent), kTickets, "AddComment",
      {{"ticketId", ticket_id}, {"body", "已远程重置账号，请客户重试"}});
  ticket = Rpc(Token(agent), kTickets, "ChangeStatus",
               {{"id", ticket_id}, {"status", "TICKET_STATUS_RESOLVED"}});
  EXPECT_EQ(ticket.value("status", ""), "TICKET_STATUS_RESOLVED");
  ASSERT_TRUE(ticket.contains("resolvedAt")) << ticket;
  EXPECT_LE(ticket.value("resolvedAt", ""), ticket.value("resolutionDue", ""));
  auto tickets = crm::tickets::v1::TicketsService::NewStub(
      client::MakeChannel(suite_->address("tickets")));
  {
    // The SLA check right now finds nothing breached.
    grpc::ClientContext ctx;
    client::Prepare(&ctx, Token(admin));
    crm::tickets::v1::RunSlaCheckRequest req;
    *req.mutable_as_of() = Ts(absl::Now());
    crm::tickets::v1::RunSlaCheckResponse resp;
    grpc::Status s = tickets->RunSlaCheck(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ticket = Rpc(Token(rep), kTickets, "GetTicket", {{"id", ticket_id}});
  EXPECT_FALSE(ticket.value("breached", true));
  ticket = Rpc(Token(rep), kTickets, "RateTicket",
               {{"id", ticket_id}, {"satisfaction", 5}});
  EXPECT_EQ(ticket.value("satisfaction", 0), 5);
}

TEST_F(L2cStoryTest, NoFollowUpRecycledThenClaimedInTheRegionOnly) {
  const absl::Time now = absl::Now();
  const json admin = Login("admin", testing::ProcessSuite::kAdminPassword);
  const json rep = Login("rep.sh1.2");
  const json peer = Login("rep.sh2.1");   // same region, another team
  const json other = Login("rep.bj1.2");  // the north
  // The east pool (demo data) and one of its customers.
  const json pools = Rpc(Token(rep), kAccounts, "ListPools", json::object());
  int64_t pool_id = 0;
  for (const json& p : pools.value("pools", json::array())) {
    if (p.value("name", "") == "华东公海") pool_id = I64(p["id"]);
  }
  ASSERT_GT(pool_id, 0) << pools;
  const json pooled =
      Rpc(Token(rep), kAccounts, "ListAccounts",
          {{"poolId", std::to_string(pool_id)}, {"pageSize", 50}});
  ASSERT_FALSE(pooled.value("accounts", json::array()).empty()) << pooled;
  const json last = pooled["accounts"].back();
  const int64_t account_id = I64(last["id"]);

  // rep claims it and never follows up.
  json account = Rpc(Token(rep), kAccounts, "ClaimAccount",
                     {{"accountId", account_id}, {"requestId", "story-claim"}});
  EXPECT_EQ(I64(account["ownerId"]), UserId(rep));
  EXPECT_EQ(I64(account["poolId"]), 0);
  // Before recycling, the peer cannot take it (it is rep's, not pooled).
  EXPECT_NE(Post(absl::StrCat("/v1/", kAccounts, "/ClaimAccount"), Token(peer),
                 {{"accountId", account_id}})
                .status,
            200);

  // The admin's recycle run, 15 days ahead (the default rule: no
  // follow-up for 10 days). Not reachable over HTTP.
  EXPECT_EQ(Post(absl::StrCat("/v1/", kAccounts, "/RunRecycle"), Token(admin),
                 json::object())
                .status,
            404);
  auto accounts = crm::accounts::v1::AccountsService::NewStub(
      client::MakeChannel(suite_->address("accounts")));
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, Token(admin));
    crm::accounts::v1::RunRecycleRequest req;
    *req.mutable_as_of() = Ts(now + absl::Hours(24 * 15));
    crm::accounts::v1::RunRecycleResponse resp;
    grpc::Status s = accounts->RunRecycle(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_GE(resp.recycled(), 1);
  }
  account = Rpc(Token(Login("mgr.east")), kAccounts, "GetAccount",
                {{"id", account_id}});
  EXPECT_EQ(I64(account["ownerId"]), 0);
  // Into the east region's pool (the default rule's target).
  const int64_t recycled_pool = I64(account["poolId"]);
  ASSERT_GT(recycled_pool, 0);
  EXPECT_EQ(Rpc(Token(rep), kAccounts, "GetPool", {{"id", recycled_pool}})
                .value("regionCode", ""),
            "east");
  const json history = Rpc(Token(Login("mgr.east")), kAccounts,
                           "ListPoolHistory", {{"accountId", account_id}});
  EXPECT_THAT(history.dump(), HasSubstr("RECYCLE")) << history;

  // Another region's rep may not claim from the east pool.
  {
    Reply r = Post(absl::StrCat("/v1/", kAccounts, "/ClaimAccount"),
                   Token(other), {{"accountId", account_id}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.body.value("code", ""), "FAILED_PRECONDITION");
    EXPECT_THAT(r.body.value("message", ""), HasSubstr("cross-region"));
  }
  // A rep of the same region may.
  account = Rpc(Token(peer), kAccounts, "ClaimAccount",
                {{"accountId", account_id}, {"requestId", "story-reclaim"}});
  EXPECT_EQ(I64(account["ownerId"]), UserId(peer));
  EXPECT_EQ(I64(account["poolId"]), 0);
  // And now it is the peer's, not the north rep's.
  EXPECT_EQ(Post(absl::StrCat("/v1/", kAccounts, "/GetAccount"), Token(other),
                 {{"id", account_id}})
                .status,
            404);
}

}  // namespace
}  // namespace crm
