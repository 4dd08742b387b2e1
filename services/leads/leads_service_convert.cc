// ConvertLead: a saga over accounts and opportunities (seed 004: 线索转化),
// ADR 0020.
//
// Steps, each idempotent and recorded in lead_conversions once done:
//   1. account  link the given/existing-customer account (GetAccount
//               checks the caller sees it), or CreateAccount with
//               request_id "lead-<id>-account" (a retry returns the same
//               account; an exact duplicate made by someone else is linked
//               through CheckDuplicates instead);
//   2. contact  AddContact with request_id "lead-<id>-contact" (skipped
//               without a contact name);
//   3. opportunity  only with create_opportunity: CreateOpportunity with
//               request_id "lead-<id>-opp" on the account, source_lead_id
//               = the lead (a retry after a crash before the step was
//               recorded gets the same opportunity back);
//   4. finish   the lead becomes CONVERTED with the ids, LeadConverted.
// Any failure leaves the steps done so far recorded and the lead open, so
// the next ConvertLead resumes at the first step not done. Accounts or
// opportunities unreachable -> UNAVAILABLE. A lead already CONVERTED
// returns its ids; asking it for an opportunity it was converted without
// is FAILED_PRECONDITION (create it in opportunities with source_lead_id).
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "services/leads/leads_service.h"
#include "services/leads/proto_convert.h"

namespace crm::leads {
namespace {

namespace apb = crm::accounts::v1;
namespace opb = crm::opportunities::v1;

// Downstream failures: transport problems become UNAVAILABLE (retry
// later), the rest keep their code with the step named.
absl::Status Downstream(const grpc::Status& g, const char* step,
                        const char* service = "accounts") {
  absl::Status s = FromGrpcStatus(g);
  if (s.ok()) return s;
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) ||
      absl::IsInternal(s) || absl::IsUnknown(s)) {
    return absl::UnavailableError(absl::StrCat(
        service, " unavailable at the ", step,
        " step; the lead stays convertible, retry: ", s.message()));
  }
  return absl::Status(s.code(),
                      absl::StrCat(service, " (", step, "): ", s.message()));
}

// The opportunity fields of a request are only meaningful with
// create_opportunity.
absl::Status CheckOpportunityFields(const pb::ConvertLeadRequest& r) {
  if (r.create_opportunity()) {
    if (r.opportunity_name().size() > 200)
      return InvalidField("opportunity_name", "at most 200 bytes");
    return absl::OkStatus();
  }
  if (!r.opportunity_name().empty())
    return InvalidField("opportunity_name", "only with create_opportunity");
  if (r.has_opportunity_amount())
    return InvalidField("opportunity_amount", "only with create_opportunity");
  if (!r.expected_close_date().empty())
    return InvalidField("expected_close_date", "only with create_opportunity");
  if (r.deal_kind() != opb::DEAL_KIND_UNSPECIFIED)
    return InvalidField("deal_kind", "only with create_opportunity");
  return absl::OkStatus();
}

apb::Account AccountDraft(const LeadRecord& l) {
  apb::Account a;
  a.set_region_code(l.d.region_code);
  a.set_industry(l.d.industry);
  a.set_type(apb::CUSTOMER_TYPE_SMB);
  if (l.d.kind == LeadKind::kCompany) {
    a.set_kind(apb::ACCOUNT_KIND_COMPANY);
    a.set_name(l.d.company_name);
    a.set_credit_code(l.d.credit_code);
    if (!l.d.phone.empty()) a.set_phone(l.d.phone);
  } else {
    a.set_kind(apb::ACCOUNT_KIND_PERSON);
    a.set_name(l.d.contact_name);
    a.set_phone(l.d.phone);
  }
  return a;
}

}  // namespace

grpc::Status LeadsServiceImpl::ConvertLead(grpc::ServerContext* ctx,
                                           const pb::ConvertLeadRequest* req,
                                           pb::ConvertLeadResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(CheckOpportunityFields(*req));
    if (req->account_id() < 0)
      return InvalidField("account_id", "must not be negative");
    ASSIGN_OR_RETURN(LeadRecord l, VisibleLead(p, req->lead_id()));
    RETURN_IF_ERROR(CheckWorkable(p, l));
    if (l.status != LeadStatus::kConverted) {
      RETURN_IF_ERROR(CheckConvertible(l.status));
      if (l.d.kind == LeadKind::kCompany && l.d.credit_code.empty() &&
          req->account_id() == 0 && l.account_id == 0) {
        return absl::FailedPreconditionError(
            "credit_code: required to convert a company lead into a new "
            "account; set it with UpdateLead or pass account_id");
      }
      if (l.d.kind == LeadKind::kPerson && l.d.phone.empty() &&
          req->account_id() == 0 && l.account_id == 0) {
        return absl::FailedPreconditionError(
            "phone: required to convert a person lead into a new account");
      }
      if (accounts_ == nullptr)
        return absl::UnavailableError("accounts service not configured");
      if (req->create_opportunity() && opportunities_ == nullptr)
        return absl::UnavailableError("opportunities service not configured");
      ASSIGN_OR_RETURN(ConversionRecord saga,
                       conversions_.Start(l.id, p.user_id));
      auto after = [&](const char* step) {
        if (config_.after_convert_step) config_.after_convert_step(step);
      };

      if (saga.step < ConvertStep::kAccount) {
        int64_t account_id =
            req->account_id() > 0 ? req->account_id() : l.account_id;
        bool created = false;
        if (account_id > 0) {
          grpc::ClientContext call;
          client::PrepareOnBehalf(&call, *ctx);
          apb::GetAccountRequest get;
          get.set_id(account_id);
          apb::Account a;
          absl::Status s =
              Downstream(accounts_->GetAccount(&call, get, &a), "account");
          if (absl::IsNotFound(s)) {
            return InvalidField(
                "account_id",
                absl::StrCat("account ", account_id, " not found"));
          }
          RETURN_IF_ERROR(s);
        } else {
          grpc::ClientContext call;
          client::PrepareOnBehalf(&call, *ctx);
          apb::CreateAccountRequest create;
          *create.mutable_account() = AccountDraft(l);
          create.set_request_id(absl::StrCat("lead-", l.id, "-account"));
          create.set_ignore_similar(true);
          apb::CreateAccountResponse out;
          absl::Status s = Downstream(
              accounts_->CreateAccount(&call, create, &out), "account");
          if (absl::IsAlreadyExists(s)) {
            // Someone else's account already has the credit code / phone:
            // link it (it is the customer this lead is about).
            grpc::ClientContext check;
            client::PrepareOnBehalf(&check, *ctx);
            apb::CheckDuplicatesRequest dreq;
            *dreq.mutable_draft() = AccountDraft(l);
            apb::CheckDuplicatesResponse dresp;
            RETURN_IF_ERROR(Downstream(
                accounts_->CheckDuplicates(&check, dreq, &dresp), "account"));
            for (const apb::DuplicateCandidate& c : dresp.candidates()) {
              if (c.exact()) {
                account_id = c.account_id();
                break;
              }
            }
            if (account_id == 0) return s;
          } else {
            RETURN_IF_ERROR(s);
            account_id = out.account().id();
            created = true;
          }
        }
        RETURN_IF_ERROR(conversions_.SaveAccount(l.id, account_id, created));
        saga.step = ConvertStep::kAccount;
        saga.account_id = account_id;
        saga.account_created = created;
        after("account");
      }

      if (saga.step < ConvertStep::kContact) {
        int64_t contact_id = 0;
        if (!l.d.contact_name.empty()) {
          grpc::ClientContext call;
          client::PrepareOnBehalf(&call, *ctx);
          apb::AddContactRequest add;
          apb::Contact* c = add.mutable_contact();
          c->set_account_id(saga.account_id);
          c->set_name(l.d.contact_name);
          c->set_phone(l.d.phone);
          c->set_email(l.d.email);
          c->set_primary(saga.account_created);
          add.set_request_id(absl::StrCat("lead-", l.id, "-contact"));
          apb::Contact out;
          absl::Status s =
              Downstream(accounts_->AddContact(&call, add, &out), "contact");
          if (absl::IsAlreadyExists(s) && !saga.account_created) {
            // The linked account already lists this person.
            s = absl::OkStatus();
          }
          RETURN_IF_ERROR(s);
          contact_id = out.id();
        }
        RETURN_IF_ERROR(conversions_.SaveContact(l.id, contact_id));
        saga.step = ConvertStep::kContact;
        saga.contact_id = contact_id;
        after("contact");
      }

      if (req->create_opportunity() && saga.step < ConvertStep::kOpportunity) {
        grpc::ClientContext call;
        client::PrepareOnBehalf(&call, *ctx);
        opb::CreateOpportunityRequest create;
        opb::Opportunity* o = create.mutable_opportunity();
        o->set_account_id(saga.account_id);
        o->set_source_lead_id(l.id);
        if (!req->opportunity_name().empty()) {
          o->set_name(req->opportunity_name());
        } else {
          o->set_name(absl::StrCat(l.d.kind == LeadKind::kCompany
                                       ? l.d.company_name
                                       : l.d.contact_name,
                                   " - 商机"));
        }
        if (req->has_opportunity_amount())
          *o->mutable_amount() = req->opportunity_amount();
        o->set_expected_close_date(req->expected_close_date());
        create.set_deal_kind(req->deal_kind());
        create.set_request_id(absl::StrCat("lead-", l.id, "-opp"));
        opb::Opportunity out;
        RETURN_IF_ERROR(
            Downstream(opportunities_->CreateOpportunity(&call, create, &out),
                       "opportunity", "opportunities"));
        RETURN_IF_ERROR(conversions_.SaveOpportunity(l.id, out.id()));
        saga.step = ConvertStep::kOpportunity;
        saga.opportunity_id = out.id();
        after("opportunity");
      }
      ASSIGN_OR_RETURN(l, conversions_.Finish(l.id, p.user_id));
      resp->set_account_created(saga.account_created);
    } else {
      if (req->create_opportunity() && l.opportunity_id == 0) {
        return absl::FailedPreconditionError(absl::StrCat(
            "create_opportunity: lead ", l.id,
            " was converted without an opportunity; create it with "
            "opportunities' CreateOpportunity (source_lead_id ",
            l.id, ")"));
      }
      ASSIGN_OR_RETURN(ConversionRecord saga,
                       conversions_.Start(l.id, p.user_id));
      resp->set_account_created(saga.account_created);
    }
    ToProto(l, resp->mutable_lead());
    resp->set_account_id(l.account_id);
    resp->set_contact_id(l.contact_id);
    resp->set_opportunity_id(l.opportunity_id);
    return absl::OkStatus();
  });
}

}  // namespace crm::leads
