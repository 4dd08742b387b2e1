// CreateTicket: validation, eligibility against accounts and orders,
// idempotent insert with history and the TicketCreated event.
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
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

}  // namespace

grpc::Status TicketsServiceImpl::CreateTicket(
    grpc::ServerContext* ctx, const pb::CreateTicketRequest* req,
    pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    const pb::Ticket& t = req->ticket();
    if (req->request_id().size() > 64) {
      return InvalidField("request_id", "at most 64 characters");
    }
    if (t.type_key().empty()) {
      return InvalidField("ticket.type_key", "required");
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
        return Render(**conn, r, resp);
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
    {
      grpc::ClientContext call;
      PrepareCall(&call, ctx, p);
      acpb::GetAccountRequest areq;
      areq.set_id(t.account_id());
      acpb::Account account;
      absl::Status s =
          FromGrpcStatus(accounts_->GetAccount(&call, areq, &account));
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
    if (type.requires_contract() && t.contract_id() > 0) {
      if (orders_ == nullptr) {
        return absl::UnavailableError("orders service not configured");
      }
      grpc::ClientContext call;
      PrepareCall(&call, ctx, p);
      opb::GetContractRequest creq;
      creq.set_id(t.contract_id());
      opb::Contract contract;
      absl::Status s =
          FromGrpcStatus(orders_->GetContract(&call, creq, &contract));
      if (s.ok()) {
        ContractFacts f;
        f.account_id = contract.account_id();
        f.is_signed = contract.status() == opb::CONTRACT_STATUS_SIGNED;
        if (!ParseDay(contract.start_date(), &f.start) ||
            !ParseDay(contract.end_date(), &f.end)) {
          return absl::InternalError(
              "orders returned a contract without "
              "valid service dates");
        }
        in.contract = f;
      } else if (!absl::IsNotFound(s) && !absl::IsInvalidArgument(s)) {
        return s;
      }
    }
    ASSIGN_OR_RETURN(Eligibility e, DecideEligibility(in));

    TicketRecord r;
    r.type_key = type.key();
    r.priority = t.priority();
    r.account_id = t.account_id();
    r.contract_id = t.contract_id();
    r.product_sku = t.product_sku();
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
    ASSIGN_OR_RETURN(
        int64_t id,
        db::RunInTransactionFor<int64_t>(
            *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
              ASSIGN_OR_RETURN(int64_t id,
                               ticket_store::Insert(c, r, request_key));
              RETURN_IF_ERROR(history_store::Append(
                  c, {0, id, p.user_id, "created",
                      e.billable ? absl::StrCat("billable: ", e.reason) : "",
                      now}));
              nlohmann::json payload = {{"ticket_id", id},
                                        {"type_key", r.type_key},
                                        {"priority", r.priority},
                                        {"account_id", r.account_id},
                                        {"contract_id", r.contract_id},
                                        {"group_id", r.group_id},
                                        {"creator_id", r.creator_id},
                                        {"channel", r.channel},
                                        {"billable", r.billable}};
              RETURN_IF_ERROR(
                  events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                         "TicketCreated", absl::StrCat(id),
                                         payload, now)
                      .status());
              return id;
            }));
    ASSIGN_OR_RETURN(auto after, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*after, id));
    return Render(*after, stored, resp);
  });
}

}  // namespace crm::tickets
