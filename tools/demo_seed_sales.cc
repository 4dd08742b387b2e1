#include "tools/demo_seed_sales.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "google/protobuf/util/time_util.h"
#include "tools/demo_seed.h"

namespace crm::tools {
namespace {

namespace ipb = crm::identity::v1;
namespace apb = crm::accounts::v1;
namespace opb = crm::opportunities::v1;
namespace rpb = crm::orders::v1;

// One unary call with `token`; errors name `what`.
template <typename Stub, typename Req, typename Resp>
absl::StatusOr<Resp> Call(Stub& stub,
                          grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                       const Req&, Resp*),
                          const std::string& token, const Req& req,
                          const std::string& what) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  Resp resp;
  absl::Status s = FromGrpcStatus((stub.*method)(&ctx, req, &resp));
  if (!s.ok())
    return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
  return resp;
}

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}
absl::Time Days(absl::Time now, int days) {
  return now + absl::Hours(24 * days);
}

void SetMoney(crm::common::v1::Money* m, int64_t minor) {
  m->set_currency_code("CNY");
  m->set_amount_minor(minor);
}

struct Who {
  std::string token;
  int64_t user_id = 0;
  std::string org_path;
};

absl::StatusOr<Who> LoginAs(ipb::IdentityService::StubInterface& identity,
                            const std::string& username,
                            const std::string& password) {
  ipb::LoginRequest req;
  req.set_username(username);
  req.set_password(password);
  ASSIGN_OR_RETURN(ipb::LoginResponse resp,
                   Call(identity, &ipb::IdentityService::StubInterface::Login,
                        std::string(), req, absl::StrCat("login ", username)));
  return Who{resp.access_token(), resp.user().id(), resp.user().org_path()};
}

struct ProductSpec {
  const char* sku;
  const char* name;
  const char* unit;
  int64_t price;
};
const ProductSpec kProducts[] = {
    {"DEMO-CRM-STD", "CRM 标准版席位", "seat/year", 360000},
    {"DEMO-CRM-PRO", "CRM 专业版席位", "seat/year", 600000},
    {"DEMO-IMPL", "实施服务", "人天", 250000},
    {"DEMO-TRAIN", "现场培训", "场", 500000},
    {"DEMO-API", "API 集成包", "套", 1500000},
};

// The products by SKU, created where missing (CreateProduct has no
// request_id; the SKU is the key).
absl::StatusOr<std::map<std::string, int64_t>> SeedProducts(
    rpb::OrdersService::StubInterface& orders, const std::string& admin) {
  std::map<std::string, int64_t> ids;
  rpb::ListProductsRequest list;
  list.set_page_size(200);
  do {
    ASSIGN_OR_RETURN(
        rpb::ListProductsResponse page,
        Call(orders, &rpb::OrdersService::StubInterface::ListProducts, admin,
             list, "list products"));
    for (const rpb::Product& p : page.products()) ids[p.sku()] = p.id();
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  for (const ProductSpec& spec : kProducts) {
    if (ids.contains(spec.sku)) continue;
    rpb::CreateProductRequest req;
    rpb::Product* p = req.mutable_product();
    p->set_sku(spec.sku);
    p->set_name(spec.name);
    p->set_unit(spec.unit);
    SetMoney(p->mutable_list_price(), spec.price);
    p->set_active(true);
    ASSIGN_OR_RETURN(
        rpb::Product created,
        Call(orders, &rpb::OrdersService::StubInterface::CreateProduct, admin,
             req, absl::StrCat("product ", spec.sku)));
    ids[spec.sku] = created.id();
  }
  return ids;
}

// The open stages every default standard pipeline walks through in order.
const char* const kStages[] = {"qualify", "needs", "proposal", "negotiation"};
int StageIndex(const std::string& stage) {
  for (int i = 0; i < 4; ++i)
    if (stage == kStages[i]) return i;
  return -1;
}

enum class Outcome { kOpen, kWon, kLost };

struct OppSpec {
  std::string key;
  int account;  // index into the rep's claimed customers (by id)
  std::string name;
  int64_t amount;
  std::string stage;  // the open stage reached (negotiation for won/lost)
  Outcome outcome;
};

// Creates the opportunity (fixed request_id) and moves it forward to its
// stage; marks it lost if asked (won happens after signing).
absl::StatusOr<opb::Opportunity> SeedOpportunity(
    opb::OpportunitiesService::StubInterface& opps, const Who& rep,
    int64_t account_id, const OppSpec& spec, absl::Time now) {
  using S = opb::OpportunitiesService::StubInterface;
  opb::CreateOpportunityRequest create;
  opb::Opportunity* o = create.mutable_opportunity();
  o->set_account_id(account_id);
  o->set_name(spec.name);
  SetMoney(o->mutable_amount(), spec.amount);
  SetMoney(o->mutable_budget(), spec.amount + spec.amount / 5);
  o->set_expected_close_date(Day(Days(now, 30)));
  o->set_decision_maker("采购总监");
  create.set_request_id(absl::StrCat("demo-sales-opp-", spec.key));
  ASSIGN_OR_RETURN(opb::Opportunity opp,
                   Call(opps, &S::CreateOpportunity, rep.token, create,
                        absl::StrCat("opportunity ", spec.key)));
  opb::GetOpportunityRequest get;
  get.set_id(opp.id());
  ASSIGN_OR_RETURN(opp, Call(opps, &S::GetOpportunity, rep.token, get,
                             absl::StrCat("opportunity ", spec.key)));
  if (opp.status() != opb::OPPORTUNITY_STATUS_OPEN) return opp;
  const int target = StageIndex(spec.stage);
  for (int i = StageIndex(opp.stage()) + 1; i >= 1 && i <= target; ++i) {
    opb::MoveStageRequest move;
    move.set_opportunity_id(opp.id());
    move.set_stage(kStages[i]);
    ASSIGN_OR_RETURN(opp,
                     Call(opps, &S::MoveStage, rep.token, move,
                          absl::StrCat("move ", spec.key, " to ", kStages[i])));
  }
  if (spec.outcome == Outcome::kLost) {
    opb::MarkLostRequest lost;
    lost.set_opportunity_id(opp.id());
    lost.set_loss_reason("price");
    lost.set_note("客户选择了报价更低的竞品");
    ASSIGN_OR_RETURN(opp, Call(opps, &S::MarkLost, rep.token, lost,
                               absl::StrCat("lose ", spec.key)));
  }
  return opp;
}

struct Approvers {
  std::string sales_manager, boss, finance;
  const std::string& For(const std::string& role) const {
    if (role == "boss") return boss;
    if (role == "finance") return finance;
    return sales_manager;
  }
};

// Submits, approves along the chain and signs, each only from the state
// it needs (a re-run finds the contract signed and does nothing).
absl::StatusOr<rpb::Contract> ApproveAndSign(
    rpb::OrdersService::StubInterface& orders, const Who& rep,
    const Approvers& approvers, int64_t contract_id) {
  using S = rpb::OrdersService::StubInterface;
  rpb::GetContractRequest get;
  get.set_id(contract_id);
  ASSIGN_OR_RETURN(rpb::Contract c, Call(orders, &S::GetContract, rep.token,
                                         get, "get contract"));
  if (c.status() == rpb::CONTRACT_STATUS_DRAFT) {
    rpb::SubmitContractRequest submit;
    submit.set_id(contract_id);
    ASSIGN_OR_RETURN(c, Call(orders, &S::SubmitContract, rep.token, submit,
                             "submit contract"));
  }
  while (c.status() == rpb::CONTRACT_STATUS_PENDING_APPROVAL &&
         c.current_step() < c.approval_steps_size()) {
    const std::string& role = c.approval_steps(c.current_step());
    rpb::ApproveContractRequest approve;
    approve.set_id(contract_id);
    approve.set_step(c.current_step());
    approve.set_comment("同意");
    ASSIGN_OR_RETURN(
        c, Call(orders, &S::ApproveContract, approvers.For(role), approve,
                absl::StrCat("approve contract as ", role)));
  }
  if (c.status() == rpb::CONTRACT_STATUS_APPROVED) {
    rpb::SignContractRequest sign;
    sign.set_id(contract_id);
    ASSIGN_OR_RETURN(
        c, Call(orders, &S::SignContract, rep.token, sign, "sign contract"));
  }
  if (c.status() != rpb::CONTRACT_STATUS_SIGNED) {
    return absl::FailedPreconditionError(
        absl::StrCat("contract ", contract_id, " ended ",
                     rpb::ContractStatus_Name(c.status()), ", not signed"));
  }
  return c;
}

struct Line {
  const char* sku;
  int64_t quantity;
};
struct Plan {
  int due_in_days;  // relative to now
  int64_t percent;  // of the contract amount (the last takes the rest)
};
struct DealSpec {
  OppSpec opp;
  std::vector<Line> lines;
  int start_in_days, end_in_days;
  std::vector<Plan> plan;
  int64_t paid;  // received today, oldest installment first
  // A signed renewal following the contract (0: none), its amount.
  int64_t renewal_amount;
};

struct RegionSpec {
  std::string code, rep, lead, manager;
  int64_t target_signed, target_received;  // the region's month targets
  std::vector<DealSpec> deals;
};

std::vector<RegionSpec> Regions() {
  return {
      {"east",
       "rep.sh1.1",
       "lead.sh1",
       "mgr.east",
       30000000,
       20000000,
       {
           // KA customer: contract ends within 6 months, not yet renewed
           // (the renewal list); the second installment is overdue.
           {{"east-ka", 0, "集团 CRM 专业版升级", 14500000, "negotiation",
             Outcome::kWon},
            {{"DEMO-CRM-PRO", 20}, {"DEMO-IMPL", 10}},
            -200,
            150,
            {{-40, 60}, {-5, 40}},
            8700000,
            0},
           {{"east-smb", 1, "标准版 10 席", 4100000, "negotiation",
             Outcome::kWon},
            {{"DEMO-CRM-STD", 10}, {"DEMO-TRAIN", 1}},
            0,
            364,
            {{15, 100}},
            4100000,
            0},
           {{"east-open", 2, "分公司扩容", 3000000, "proposal", Outcome::kOpen},
            {},
            0,
            0,
            {},
            0,
            0},
           {{"east-lost", 2, "API 集成项目", 2000000, "negotiation",
             Outcome::kLost},
            {},
            0,
            0,
            {},
            0,
            0},
       }},
      {"north",
       "rep.bj1.1",
       "lead.bj1",
       "mgr.north",
       25000000,
       15000000,
       {
           // KA customer: the contract ends within 6 months and is
           // renewed by a signed renewal contract.
           {{"north-ka", 0, "年度订阅 + API", 10500000, "negotiation",
             Outcome::kWon},
            {{"DEMO-CRM-PRO", 15}, {"DEMO-API", 1}},
            -330,
            35,
            {{-300, 50}, {-120, 50}},
            10500000,
            11000000},
           {{"north-smb", 1, "标准版 8 席", 2880000, "negotiation",
             Outcome::kWon},
            {{"DEMO-CRM-STD", 8}},
            0,
            364,
            {{10, 50}, {40, 50}},
            1440000,
            0},
           {{"north-open", 2, "二期实施", 5000000, "negotiation",
             Outcome::kOpen},
            {},
            0,
            0,
            {},
            0,
            0},
           {{"north-needs", 2, "培训服务", 1800000, "needs", Outcome::kOpen},
            {},
            0,
            0,
            {},
            0,
            0},
       }},
  };
}

void AddPlan(rpb::Contract* c, int64_t amount, const std::vector<Plan>& plan,
             absl::Time now) {
  int64_t left = amount;
  for (size_t i = 0; i < plan.size(); ++i) {
    const int64_t part =
        i + 1 == plan.size() ? left : amount * plan[i].percent / 100;
    left -= part;
    rpb::Installment* inst = c->add_installments();
    inst->set_due_date(Day(Days(now, plan[i].due_in_days)));
    SetMoney(inst->mutable_amount(), part);
  }
}

// Finance records `amount` received today (fixed reference: a re-run gets
// the first payment back).
absl::Status Pay(rpb::OrdersService::StubInterface& orders,
                 const std::string& finance, int64_t contract_id,
                 int64_t amount, const std::string& reference, absl::Time now) {
  if (amount <= 0) return absl::OkStatus();
  rpb::RecordPaymentRequest pay;
  pay.set_contract_id(contract_id);
  SetMoney(pay.mutable_amount(), amount);
  pay.set_received_date(Day(now));
  pay.set_method("bank_transfer");
  pay.set_reference(reference);
  return Call(orders, &rpb::OrdersService::StubInterface::RecordPayment,
              finance, pay, absl::StrCat("payment ", reference))
      .status();
}

}  // namespace

absl::Status SeedDemoSales(
    ipb::IdentityService::StubInterface& identity,
    apb::AccountsService::StubInterface& accounts,
    opb::OpportunitiesService::StubInterface& opportunities,
    rpb::OrdersService::StubInterface& orders,
    const std::string& admin_username, const std::string& admin_password,
    absl::Time now) {
  using OS = rpb::OrdersService::StubInterface;
  using PS = opb::OpportunitiesService::StubInterface;
  ASSIGN_OR_RETURN(Who admin,
                   LoginAs(identity, admin_username, admin_password));
  ASSIGN_OR_RETURN(Who boss, LoginAs(identity, "boss", kDemoPassword));
  ASSIGN_OR_RETURN(Who finance, LoginAs(identity, "finance", kDemoPassword));
  ASSIGN_OR_RETURN(auto products, SeedProducts(orders, admin.token));
  std::printf("  %zu products\n", products.size());

  const std::string month = absl::FormatTime("%Y-%m", now, absl::UTCTimeZone());
  const absl::CivilMonth cm = absl::ToCivilMonth(now, absl::UTCTimeZone());
  const std::string quarter =
      absl::StrCat(cm.year(), "-Q", (cm.month() - 1) / 3 + 1);
  struct TargetSpec {
    int64_t user_id;
    std::string org_path;
    int64_t signed_month, received_month;
  };
  std::vector<TargetSpec> targets;
  int64_t company_signed = 0, company_received = 0;

  for (const RegionSpec& region : Regions()) {
    ASSIGN_OR_RETURN(Who rep, LoginAs(identity, region.rep, kDemoPassword));
    ASSIGN_OR_RETURN(Who lead, LoginAs(identity, region.lead, kDemoPassword));
    ASSIGN_OR_RETURN(Who manager,
                     LoginAs(identity, region.manager, kDemoPassword));
    const Approvers approvers{lead.token, boss.token, finance.token};
    // The rep's customers, oldest first (SeedDemoAccounts claimed 3).
    apb::ListAccountsRequest list;
    list.set_mine_only(true);
    list.set_page_size(50);
    ASSIGN_OR_RETURN(
        apb::ListAccountsResponse mine,
        Call(accounts, &apb::AccountsService::StubInterface::ListAccounts,
             rep.token, list, absl::StrCat("customers of ", region.rep)));
    std::vector<apb::Account> customers(mine.accounts().begin(),
                                        mine.accounts().end());
    std::sort(customers.begin(), customers.end(),
              [](const apb::Account& a, const apb::Account& b) {
                return a.id() < b.id();
              });
    if (customers.size() < 3) {
      return absl::FailedPreconditionError(
          absl::StrCat(region.rep, " owns ", customers.size(),
                       " customers; run SeedDemoAccounts first"));
    }
    int won = 0, open = 0, lost = 0;
    for (const DealSpec& deal : region.deals) {
      const int64_t account_id = customers[deal.opp.account].id();
      ASSIGN_OR_RETURN(
          opb::Opportunity opp,
          SeedOpportunity(opportunities, rep, account_id, deal.opp, now));
      if (deal.opp.outcome == Outcome::kLost) ++lost;
      if (deal.opp.outcome == Outcome::kOpen) ++open;
      if (deal.opp.outcome != Outcome::kWon) continue;
      ++won;
      // Quote -> contract from the quote -> approved -> signed.
      rpb::CreateQuoteRequest qreq;
      qreq.mutable_quote()->set_account_id(account_id);
      qreq.mutable_quote()->set_opportunity_id(opp.id());
      for (const Line& l : deal.lines) {
        rpb::QuoteLine* line = qreq.mutable_quote()->add_lines();
        line->set_product_id(products.at(l.sku));
        line->set_quantity(l.quantity);
      }
      qreq.set_request_id(absl::StrCat("demo-sales-quote-", deal.opp.key));
      ASSIGN_OR_RETURN(rpb::Quote quote,
                       Call(orders, &OS::CreateQuote, rep.token, qreq,
                            absl::StrCat("quote ", deal.opp.key)));
      const int64_t amount = quote.total().amount_minor();
      rpb::CreateContractRequest creq;
      rpb::Contract* c = creq.mutable_contract();
      c->set_account_id(account_id);
      c->set_title(
          absl::StrCat(customers[deal.opp.account].name(), " ", deal.opp.name));
      SetMoney(c->mutable_amount(), amount);
      c->set_start_date(Day(Days(now, deal.start_in_days)));
      c->set_end_date(Day(Days(now, deal.end_in_days)));
      c->set_type(rpb::CONTRACT_TYPE_NEW);
      c->set_opportunity_id(opp.id());
      c->set_quote_id(quote.id());
      AddPlan(c, amount, deal.plan, now);
      creq.set_request_id(absl::StrCat("demo-sales-contract-", deal.opp.key));
      ASSIGN_OR_RETURN(rpb::Contract draft,
                       Call(orders, &OS::CreateContract, rep.token, creq,
                            absl::StrCat("contract ", deal.opp.key)));
      ASSIGN_OR_RETURN(rpb::Contract contract,
                       ApproveAndSign(orders, rep, approvers, draft.id()));
      if (opp.status() == opb::OPPORTUNITY_STATUS_OPEN) {
        opb::MarkWonRequest mark;
        mark.set_opportunity_id(opp.id());
        mark.set_contract_ref(std::to_string(contract.id()));
        RETURN_IF_ERROR(Call(opportunities, &PS::MarkWon, rep.token, mark,
                             absl::StrCat("win ", deal.opp.key))
                            .status());
      }
      RETURN_IF_ERROR(Pay(orders, finance.token, contract.id(), deal.paid,
                          absl::StrCat("DEMO-PAY-", deal.opp.key), now));
      if (deal.renewal_amount > 0) {
        rpb::CreateContractRequest rreq;
        rpb::Contract* r = rreq.mutable_contract();
        r->set_account_id(account_id);
        r->set_title(absl::StrCat(customers[deal.opp.account].name(), " 续约"));
        SetMoney(r->mutable_amount(), deal.renewal_amount);
        r->set_start_date(Day(Days(now, deal.end_in_days + 1)));
        r->set_end_date(Day(Days(now, deal.end_in_days + 365)));
        r->set_type(rpb::CONTRACT_TYPE_RENEWAL);
        r->set_predecessor_contract_id(contract.id());
        AddPlan(r, deal.renewal_amount, {{deal.end_in_days + 1, 100}}, now);
        rreq.set_request_id(absl::StrCat("demo-sales-renewal-", deal.opp.key));
        ASSIGN_OR_RETURN(rpb::Contract rdraft,
                         Call(orders, &OS::CreateContract, rep.token, rreq,
                              absl::StrCat("renewal ", deal.opp.key)));
        RETURN_IF_ERROR(
            ApproveAndSign(orders, rep, approvers, rdraft.id()).status());
      }
    }
    std::printf("  %s: %d won, %d open, %d lost opportunities of %s\n",
                region.code.c_str(), won, open, lost, region.rep.c_str());
    targets.push_back(
        {0, manager.org_path, region.target_signed, region.target_received});
    targets.push_back({rep.user_id, "", region.target_signed / 2,
                       region.target_received / 2});
    company_signed += region.target_signed;
    company_received += region.target_received;
  }

  // The overdue check as of now (the admin's run; idempotent).
  {
    rpb::RunOverdueCheckRequest req;
    *req.mutable_as_of() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
        absl::ToUnixSeconds(now));
    RETURN_IF_ERROR(
        Call(orders, &OS::RunOverdueCheck, admin.token, req, "overdue check")
            .status());
  }

  // Targets (set by the boss; SetTarget replaces): the month, and the
  // quarter at three times the month.
  targets.push_back({0, boss.org_path, company_signed, company_received});
  for (const TargetSpec& t : targets) {
    for (const auto& [period, factor] :
         {std::pair<std::string, int64_t>{month, 1}, {quarter, 3}}) {
      for (const auto& [metric, value] :
           {std::pair<rpb::Metric, int64_t>{rpb::METRIC_SIGNED_AMOUNT,
                                            t.signed_month},
            {rpb::METRIC_RECEIVED_AMOUNT, t.received_month}}) {
        rpb::SetTargetRequest req;
        rpb::Target* target = req.mutable_target();
        if (t.user_id > 0) {
          target->set_user_id(t.user_id);
        } else {
          target->set_org_path(t.org_path);
        }
        target->set_period(period);
        target->set_metric(metric);
        target->set_value(value * factor);
        RETURN_IF_ERROR(Call(orders, &OS::SetTarget, boss.token, req,
                             absl::StrCat("target ", period))
                            .status());
      }
    }
  }
  std::printf("  targets for %s and %s: company, 2 regions, 2 reps\n",
              month.c_str(), quarter.c_str());
  return absl::OkStatus();
}

}  // namespace crm::tools
