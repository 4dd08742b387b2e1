// MarkWon's create_contract: the draft contract created through orders on
// the caller's behalf (ADR 0015). The terms are in domain/won_contract.
#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "services/opportunities/domain/won_contract.h"
#include "services/opportunities/opportunities_service.h"
#include "services/opportunities/opportunities_util.h"

namespace crm::opportunities {
namespace {

namespace opb = crm::orders::v1;

// Orders' answer with its code kept and "orders: " in front; a transport
// failure is UNAVAILABLE (the retry with the same request id is safe).
absl::Status FromOrders(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError(
        absl::StrCat("orders: unavailable (", s.error_message(),
                     "); the opportunity stays open, retry MarkWon"));
  }
  absl::Status local = FromGrpcStatus(s);
  return absl::Status(local.code(),
                      absl::StrCat("orders: ", std::string(local.message())));
}

}  // namespace

absl::StatusOr<std::string> OpportunitiesServiceImpl::CreateDraftContract(
    grpc::ServerContext* ctx, const auth::Principal& p,
    const pb::MarkWonRequest& req) {
  ASSIGN_OR_RETURN(OpportunityRecord o,
                   VisibleOpportunity(p, req.opportunity_id()));
  if (req.expected_version() != 0 && req.expected_version() != o.version) {
    return absl::AbortedError(absl::StrCat(
        "opportunity ", o.id, " changed (version ", o.version, ", expected ",
        req.expected_version(), "); reload and retry"));
  }
  if (o.status == OppStatus::kOpen && o.amount_minor <= 0) {
    return absl::FailedPreconditionError(
        "amount: required to create a contract; set the opportunity's "
        "amount first");
  }
  // Only create a contract for an opportunity that could be won now.
  ASSIGN_OR_RETURN(PipelineDef pipeline, pipelines_->Get(o.pipeline_id));
  RETURN_IF_ERROR(
      PlanWon(pipeline, PositionOf(o), "pending", PresentOf(o)).status());
  ASSIGN_OR_RETURN(WonContractDates dates,
                   PlanContractDates(req.contract_start_date(),
                                     req.contract_end_date(), clock_->Now()));
  if (orders_ == nullptr)
    return absl::UnavailableError("orders: service not configured");

  opb::CreateContractRequest create;
  create.set_request_id(ContractRequestId(o.id));
  opb::Contract* c = create.mutable_contract();
  c->set_account_id(o.account_id);
  c->set_title(o.name.substr(0, 200));
  c->mutable_amount()->set_currency_code(o.currency);
  c->mutable_amount()->set_amount_minor(o.amount_minor);
  c->set_start_date(absl::FormatCivilTime(dates.start));
  c->set_end_date(absl::FormatCivilTime(dates.end));
  c->set_type(opb::CONTRACT_TYPE_NEW);
  c->set_opportunity_id(o.id);
  opb::Installment* i = c->add_installments();
  i->set_due_date(absl::FormatCivilTime(dates.due));
  *i->mutable_amount() = c->amount();

  grpc::ClientContext call;
  client::PrepareOnBehalf(&call, *ctx);
  opb::Contract created;
  RETURN_IF_ERROR(FromOrders(orders_->CreateContract(&call, create, &created)));
  if (created.id() <= 0)
    return absl::InternalError("orders: created a contract without an id");
  return absl::StrCat(created.id());
}

}  // namespace crm::opportunities
