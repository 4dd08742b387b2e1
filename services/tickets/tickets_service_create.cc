// CreateTicket: validation, eligibility against accounts and orders,
// idempotent insert with history and the TicketCreated event.
#include <nlohmann/json.hpp>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/client/client.h"
#include "common/customfields/entity_fields.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/tickets/domain/eligibility.h"
#include "services/tickets/domain/status_rules.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/store/history_store.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {
namespace {

namespace acpb = crm::accounts::v1;
namespace opb = crm::orders::v1;

absl::Status ValidateTicket(const pb::Ticket& t, const pb::TicketType& type) {
  if (t.priority() <= 0 || !pb::Priority_IsValid(t.priority())) {
    return InvalidField("ticket.priority",
                        "must be LOW, NORMAL, HIGH or URGENT");
  }
  if (t.account_id() <= 0) {
    return InvalidField("ticket.account_id", "must be a positive account id");
  }
  if (t.contract_id() < 0) {
    return InvalidField("ticket.contract_id", "must not be negative");
  }
  if (t.group_id() <= 0) {
    return InvalidField("ticket.group_id", "must be a positive group id");
  }
  if (t.title().empty() || t.title().size() > 200) {
    return InvalidField("ticket.title", "required, at most 200 bytes");
  }
  if (t.description().size() > 10000) {
    return InvalidField("ticket.description", "at most 10000 bytes");
  }
  if (t.channel() <= 0 || !pb::Channel_IsValid(t.channel())) {
    return InvalidField("ticket.channel", "must be INTERNAL or CUSTOMER");
  }
  if (t.product_sku().size() > 64) {
    return InvalidField("ticket.product_sku", "at most 64 bytes");
  }
  if (t.product_id() < 0) {
    return InvalidField("ticket.product_id", "must not be negative");
  }
  if (type.requires_product() && t.product_id() == 0 &&
      t.product_sku().empty()) {
    return InvalidField("ticket.product_id",
                        absl::StrCat("ticket type ", type.key(),
                                     " requires a product (product_id or "
                                     "product_sku)"));
  }
  if (t.fields_size() > 50) {
    return InvalidField("ticket.fields", "at most 50 fields");
  }
  for (const auto& [k, v] : t.fields()) {
    if (k.empty() || k.size() > 32 || v.size() > 1000) {
      return InvalidField("ticket.fields",
                          "keys 1..32 bytes, values at most 1000 bytes");
    }
  }
  for (const std::string& k : type.required_fields()) {
    auto it = t.fields().find(k);
    if (it == t.fields().end() || it->second.empty()) {
      return InvalidField(absl::StrCat("ticket.fields.", k),
                          absl::StrCat("required by ticket type ", type.key()));
    }
  }
  return absl::OkStatus();
}

bool ParseDay(const std::string& text, absl::CivilDay* out) {
  return absl::ParseCivilTime(text, out);
}

// How far back a renewal without a quote looks for its predecessors' quote.
constexpr int kMaxRenewalHops = 5;

// The product a ticket names by id, from orders' GetProduct answer.
absl::StatusOr<std::optional<ProductRef>> ProductById(
    const pb::Ticket& t, const absl::Status& s, const opb::Product& product) {
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s)) {
    return InvalidField(
        "ticket.product_id",
        absl::StrCat("no product ", t.product_id(), " in the catalogue"));
  }
  RETURN_IF_ERROR(s);
  if (!t.product_sku().empty() &&
      !absl::EqualsIgnoreCase(t.product_sku(), product.sku())) {
    return InvalidField("ticket.product_sku",
                        absl::StrCat("product ", product.id(), " has SKU ",
                                     product.sku(), ", not ", t.product_sku()));
  }
  return std::optional<ProductRef>(ProductRef{product.id(), product.sku()});
}

// A unary call started now and awaited later (gRPC callback API), so that
// independent lookups overlap. The destructor waits for the call: it never
// outlives the buffers it writes, whatever path returns early.
template <typename Req, typename Resp>
class PendingCall {
 public:
  PendingCall() = default;
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;
  ~PendingCall() {
    if (started_) done_.WaitForNotification();
  }

  // `start(ctx, req, resp, done)` issues the call, e.g.
  // stub->async()->GetAccount.
  template <typename StartFn>
  void Start(StartFn&& start) {
    started_ = true;
    start(&ctx, &req, &resp, [this](grpc::Status s) {
      status_ = std::move(s);
      done_.Notify();
    });
  }
  absl::Status Wait() {
    done_.WaitForNotification();
    return FromGrpcStatus(status_);
  }

  grpc::ClientContext ctx;
  Req req;
  Resp resp;

 private:
  bool started_ = false;
  grpc::Status status_;
  absl::Notification done_;
};

}  // namespace

void TicketsServiceImpl::PrepareServiceCall(grpc::ClientContext* call,
                                            grpc::ServerContext* ctx) {
  if (credentials_ != nullptr) {
    client::Prepare(call, credentials_->Token(), absl::Seconds(5));
  } else {
    client::PrepareOnBehalf(call, *ctx);
  }
}

absl::StatusOr<std::optional<ProductRef>> TicketsServiceImpl::ResolveProduct(
    grpc::ServerContext* ctx, const pb::Ticket& t) {
  if (t.product_id() == 0 && t.product_sku().empty()) {
    return std::optional<ProductRef>();
  }
  if (orders_ == nullptr) {
    return absl::UnavailableError("orders service not configured");
  }
  // The catalogue is not scoped: asked with the service token (ADR 0007).
  if (t.product_id() > 0) {
    grpc::ClientContext call;
    PrepareServiceCall(&call, ctx);
    opb::GetProductRequest req;
    req.set_id(t.product_id());
    opb::Product product;
    return ProductById(
        t, FromGrpcStatus(orders_->GetProduct(&call, req, &product)), product);
  }
  // By SKU: orders looks products up by id only, so walk the catalogue
  // (inactive products too: a discontinued product is still serviced).
  std::string page_token;
  do {
    grpc::ClientContext call;
    PrepareServiceCall(&call, ctx);
    opb::ListProductsRequest req;
    req.set_page_size(500);
    req.set_page_token(page_token);
    opb::ListProductsResponse resp;
    RETURN_IF_ERROR(FromGrpcStatus(orders_->ListProducts(&call, req, &resp)));
    for (const opb::Product& product : resp.products()) {
      if (absl::EqualsIgnoreCase(product.sku(), t.product_sku())) {
        return std::optional<ProductRef>(
            ProductRef{product.id(), product.sku()});
      }
    }
    page_token = resp.next_page_token();
  } while (!page_token.empty());
  return InvalidField("ticket.product_sku",
                      absl::StrCat("no product with SKU ", t.product_sku(),
                                   " in the catalogue"));
}

absl::StatusOr<std::optional<ContractFacts>> TicketsServiceImpl::LookupContract(
    grpc::ServerContext* ctx, const auth::Principal& p, int64_t contract_id,
    bool with_products) {
  if (orders_ == nullptr) {
    return absl::UnavailableError("orders service not configured");
  }
  // The contract itself as the caller sees it (sales: their scope).
  opb::Contract contract;
  {
    grpc::ClientContext call;
    PrepareCall(&call, ctx, p);
    opb::GetContractRequest req;
    req.set_id(contract_id);
    absl::Status s =
        FromGrpcStatus(orders_->GetContract(&call, req, &contract));
    if (absl::IsNotFound(s) || absl::IsInvalidArgument(s)) {
      return std::optional<ContractFacts>();
    }
    RETURN_IF_ERROR(s);
  }
  ContractFacts f;
  f.account_id = contract.account_id();
  f.is_signed = contract.status() == opb::CONTRACT_STATUS_SIGNED;
  if (!ParseDay(contract.start_date(), &f.start) ||
      !ParseDay(contract.end_date(), &f.end)) {
    return absl::InternalError(
        "orders returned a contract without valid service dates");
  }
  if (!with_products) return std::optional<ContractFacts>(f);
  // What it covers: its quote's lines; a renewal signed without a quote
  // renews what its predecessor covered (ADR 0064). The quote and the
  // predecessors may be owned by someone else: service token.
  opb::Contract source = contract;
  for (int hop = 0;
       source.quote_id() == 0 && source.type() == opb::CONTRACT_TYPE_RENEWAL &&
       source.predecessor_contract_id() > 0 && hop < kMaxRenewalHops;
       ++hop) {
    grpc::ClientContext call;
    PrepareServiceCall(&call, ctx);
    opb::GetContractRequest req;
    req.set_id(source.predecessor_contract_id());
    opb::Contract previous;
    absl::Status s =
        FromGrpcStatus(orders_->GetContract(&call, req, &previous));
    if (absl::IsNotFound(s)) break;
    RETURN_IF_ERROR(s);
    if (previous.account_id() != contract.account_id()) break;
    source = std::move(previous);
  }
  if (source.quote_id() == 0) return std::optional<ContractFacts>(f);
  grpc::ClientContext call;
  PrepareServiceCall(&call, ctx);
  opb::GetQuoteRequest req;
  req.set_id(source.quote_id());
  opb::Quote quote;
  absl::Status s = FromGrpcStatus(orders_->GetQuote(&call, req, &quote));
  if (absl::IsNotFound(s)) return std::optional<ContractFacts>(f);
  RETURN_IF_ERROR(s);
  f.quote_id = quote.id();
  for (const opb::QuoteLine& line : quote.lines()) {
    f.covered_products.push_back(line.product_id());
  }
  return std::optional<ContractFacts>(f);
}

grpc::Status TicketsServiceImpl::CreateTicket(
    grpc::ServerContext* ctx, const pb::CreateTicketRequest* req,
    pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    const pb::Ticket& t = req->ticket();
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    // Custom fields and field permissions (common/customfields); the values
    // are written in the ticket's own transaction.
    customfields::EntityFields cf_fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, cf_fields.Load("ticket"));
    customfields::Values cf_values(t.custom_fields().begin(),
                                   t.custom_fields().end());
    RETURN_IF_ERROR(cf.CheckCreate(p, t, &cf_values));
    if (t.type_key().empty()) {
      return InvalidField("ticket.type_key", "required");
    }
    // Type keys are short ASCII (the column is ASCII: other bytes were an
    // SQL error, and a huge key echoed in the error overflowed gRPC's
    // metadata limit).
    if (t.type_key().size() > 32 ||
        !absl::c_all_of(t.type_key(), absl::ascii_isgraph)) {
      return InvalidField("ticket.type_key", "unknown ticket type");
    }
    // One connection at a time per call: this one is returned before the
    // calls to accounts/orders and the transaction.
    std::optional<db::PooledConnection> conn;
    {
      ASSIGN_OR_RETURN(db::PooledConnection c, pool_->Borrow());
      conn.emplace(std::move(c));
    }
    const std::string request_key =
        req->request_id().empty()
            ? ""
            : absl::StrCat(p.user_id, ":", req->request_id());
    if (!request_key.empty()) {
      ASSIGN_OR_RETURN(std::optional<int64_t> existing,
                       ticket_store::FindByRequestKey(**conn, request_key));
      if (existing.has_value()) {
        ASSIGN_OR_RETURN(TicketRecord r, ticket_store::Get(**conn, *existing));
        return Render(**conn, p, r, resp);
      }
    }
    absl::StatusOr<std::string> type_json =
        config_store::GetType(**conn, t.type_key());
    if (absl::IsNotFound(type_json.status())) {
      return InvalidField("ticket.type_key",
                          absl::StrCat("unknown ticket type ", t.type_key()));
    }
    if (!type_json.ok()) return type_json.status();
    ASSIGN_OR_RETURN(pb::TicketType type, TypeFromJson(*type_json));
    RETURN_IF_ERROR(ValidateTicket(t, type));
    ASSIGN_OR_RETURN(std::string attachments,
                     AttachmentsJson(t.attachments(), "ticket.attachments"));
    absl::StatusOr<GroupRecord> group =
        config_store::GetGroup(**conn, t.group_id());
    if (absl::IsNotFound(group.status())) {
      return InvalidField("ticket.group_id",
                          absl::StrCat("no support group ", t.group_id()));
    }
    if (!group.ok()) return group.status();
    conn.reset();

    // The account must exist (and, for sales callers, be visible to them).
    if (accounts_ == nullptr) {
      return absl::UnavailableError("accounts service not configured");
    }
    const bool names_product = t.product_id() > 0 || !t.product_sku().empty();
    const bool needs_contract = type.requires_contract() && t.contract_id() > 0;
    if ((names_product || needs_contract) && orders_ == nullptr) {
      return absl::UnavailableError("orders service not configured");
    }
    // Independent lookups overlap: the account and the product (by id) are
    // asked while the contract and its quote are read.
    PendingCall<acpb::GetAccountRequest, acpb::Account> account;
    PrepareCall(&account.ctx, ctx, p);
    account.req.set_id(t.account_id());
    account.Start([&](auto* c, auto* q, auto* r, auto done) {
      accounts_->async()->GetAccount(c, q, r, std::move(done));
    });
    PendingCall<opb::GetProductRequest, opb::Product> product;
    if (t.product_id() > 0) {
      PrepareServiceCall(&product.ctx, ctx);
      product.req.set_id(t.product_id());
      product.Start([&](auto* c, auto* q, auto* r, auto done) {
        orders_->async()->GetProduct(c, q, r, std::move(done));
      });
    }
    absl::StatusOr<std::optional<ContractFacts>> contract =
        std::optional<ContractFacts>();
    if (needs_contract) {
      contract = LookupContract(ctx, p, t.contract_id(),
                                /*with_products=*/names_product);
    }
    {
      absl::Status s = account.Wait();
      if (absl::IsNotFound(s) || absl::IsInvalidArgument(s)) {
        return absl::NotFoundError(
            absl::StrCat("account ", t.account_id(), " not found"));
      }
      if (!s.ok()) return s;
    }
    const absl::Time now = clock_->Now();
    EligibilityInput in;
    in.requires_contract = type.requires_contract();
    in.billable_if_ineligible = type.billable_if_ineligible();
    in.account_id = t.account_id();
    in.contract_id = t.contract_id();
    in.today = absl::ToCivilDay(
        now, absl::FixedTimeZone(type.hours().utc_offset_minutes() * 60));
    if (t.product_id() > 0) {
      ASSIGN_OR_RETURN(in.product,
                       ProductById(t, product.Wait(), product.resp));
    } else {
      ASSIGN_OR_RETURN(in.product, ResolveProduct(ctx, t));
    }
    RETURN_IF_ERROR(contract.status());
    in.contract = *contract;
    ASSIGN_OR_RETURN(Eligibility e, DecideEligibility(in));

    TicketRecord r;
    r.type_key = type.key();
    r.priority = t.priority();
    r.account_id = t.account_id();
    r.contract_id = t.contract_id();
    if (in.product.has_value()) {
      r.product_id = in.product->id;
      r.product_sku = in.product->sku;
    }
    r.title = t.title();
    r.description = t.description();
    r.channel = t.channel();
    r.status = static_cast<int>(Status::kNew);
    r.group_id = group->id;
    r.group_org_path = group->org_path;
    r.creator_id = p.user_id;
    r.billable = e.billable;
    r.billable_reason = e.reason;
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [k, v] : t.fields()) fields[k] = v;
    r.fields_json = fields.dump();
    r.attachments_json = attachments;
    r.first_response_budget_s = FirstResponseBudget(type, t.priority());
    r.resolution_budget_s = ResolutionBudget(type, t.priority());
    r.created_at = now;
    r.updated_at = now;
    absl::StatusOr<int64_t> id = db::RunInTransactionFor<int64_t>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
          ASSIGN_OR_RETURN(int64_t id, ticket_store::Insert(c, r, request_key));
          RETURN_IF_ERROR(history_store::Append(
              c,
              {0, id, p.user_id, "created",
               e.billable ? absl::StrCat("billable: ", e.reason) : "", now}));
          RETURN_IF_ERROR(
              cf_fields.store()
                  .PutValuesOn(c, "ticket", id, cf.defs(), cf_values)
                  .status());
          nlohmann::json payload = {{"ticket_id", id},
                                    {"type_key", r.type_key},
                                    {"priority", r.priority},
                                    {"account_id", r.account_id},
                                    {"contract_id", r.contract_id},
                                    {"product_id", r.product_id},
                                    {"group_id", r.group_id},
                                    {"creator_id", r.creator_id},
                                    {"channel", r.channel},
                                    {"billable", r.billable}};
          RETURN_IF_ERROR(events::AppendToOutbox(
                              c, events::StreamFor(kServiceName),
                              "TicketCreated", absl::StrCat(id), payload, now)
                              .status());
          return id;
        });
    if (absl::IsAlreadyExists(id.status()) && !request_key.empty()) {
      // A concurrent retry with the same request_id won: its ticket.
      ASSIGN_OR_RETURN(auto again, pool_->Borrow());
      ASSIGN_OR_RETURN(std::optional<int64_t> existing,
                       ticket_store::FindByRequestKey(*again, request_key));
      if (existing.has_value()) {
        ASSIGN_OR_RETURN(TicketRecord first,
                         ticket_store::Get(*again, *existing));
        return Render(*again, p, first, resp);
      }
    }
    RETURN_IF_ERROR(id.status());
    // The row is what was inserted: rendered without reading it back.
    r.id = *id;
    ToProto(r, HoursOf(type), now, resp);
    cf.Present(p, cf_values, resp);
    return absl::OkStatus();
  });
}

}  // namespace crm::tickets
