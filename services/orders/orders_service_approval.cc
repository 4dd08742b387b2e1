// Approval chains, submit / approve / reject / resubmit, history, signing.
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
#include "common/db/transaction.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "services/orders/domain/approval_rules.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/approval_store.h"
#include "services/orders/store/contract_store.h"

namespace crm::orders {
namespace {

absl::StatusOr<std::vector<ApprovalChain>> ActiveChains(db::Connection& c) {
  ASSIGN_OR_RETURN(std::optional<std::vector<ApprovalChain>> chains,
                   approval_store::Load(c));
  if (!chains.has_value()) return DefaultChains();
  return *chains;
}

void ChainsToProto(const std::vector<ApprovalChain>& chains,
                   pb::ApprovalChains* out) {
  for (const ApprovalChain& c : chains) {
    pb::ApprovalChain* o = out->add_chains();
    o->set_customer_type(static_cast<pb::CustomerType>(c.customer_type));
    SetMoney(c.min_amount_minor, o->mutable_min_amount());
    for (const std::string& s : c.steps) o->add_steps(s);
  }
}

absl::Status WrongState(const ContractRecord& r, std::string_view action,
                        std::string_view needed) {
  return absl::FailedPreconditionError(absl::StrCat(
      "contract ", r.id, " cannot be ", std::string(action), " in status ",
      pb::ContractStatus_Name(static_cast<pb::ContractStatus>(r.status)),
      "; it must be ", std::string(needed)));
}

// ApprovalStepWaiting: the step `r` now waits for (submitted, resubmitted
// or advanced), in the transaction of the change. The accounts inbox tells
// the users who may decide it (ADR 0091).
absl::Status AppendStepWaiting(db::Connection& c, const ContractRecord& r,
                               absl::Time now) {
  const std::vector<std::string> steps = SplitSteps(r.approval_steps);
  if (r.current_step < 0 || r.current_step >= static_cast<int>(steps.size()))
    return absl::OkStatus();
  nlohmann::json payload = {{"contract_id", absl::StrCat(r.id)},
                            {"title", r.title},
                            {"owner_id", r.owner_id},
                            {"owner_org_path", r.owner_org_path},
                            {"round", r.approval_round},
                            {"step", r.current_step},
                            {"steps", steps.size()},
                            {"role", steps[r.current_step]}};
  return events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                "ApprovalStepWaiting", absl::StrCat(r.id),
                                payload, now)
      .status();
}

}  // namespace

grpc::Status OrdersServiceImpl::SetApprovalChains(
    grpc::ServerContext* ctx, const pb::SetApprovalChainsRequest* req,
    pb::ApprovalChains* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "configure approval chains"));
    std::vector<ApprovalChain> chains;
    for (int i = 0; i < req->chains_size(); ++i) {
      const pb::ApprovalChain& in = req->chains(i);
      ApprovalChain c;
      if (in.customer_type() < 0 || in.customer_type() > 2)
        return InvalidField(absl::StrCat("chains[", i, "].customer_type"),
                            "unknown customer type");
      c.customer_type = static_cast<CustomerType>(in.customer_type());
      ASSIGN_OR_RETURN(
          c.min_amount_minor,
          MinorOf(absl::StrCat("chains[", i, "].min_amount"), in.min_amount()));
      c.steps.assign(in.steps().begin(), in.steps().end());
      chains.push_back(std::move(c));
    }
    RETURN_IF_ERROR(ValidateChains(chains));
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      return approval_store::Replace(c, chains, p.user_id, now);
    }));
    ChainsToProto(chains, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrdersServiceImpl::GetApprovalChains(
    grpc::ServerContext* ctx, const pb::GetApprovalChainsRequest*,
    pb::ApprovalChains* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    (void)p;
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(std::vector<ApprovalChain> chains, ActiveChains(c));
      ChainsToProto(chains, resp);
      return absl::OkStatus();
    });
  });
}

// Submit and resubmit share everything but the state they start from.
// Required custom fields may be left out of a draft (ADR 0085): they must
// be there before the contract goes to approval.
static absl::Status StartChain(db::Connection& c, const auth::Principal& p,
                               ContractRecord& r, ApprovalAction action,
                               const std::string& comment, absl::Time now,
                               customfields::EntityFields& fields) {
  ASSIGN_OR_RETURN(customfields::EntityContext cf,
                   fields.LoadOn(c, "contract"));
  ASSIGN_OR_RETURN(auto values,
                   fields.store().GetValuesOn(c, "contract", {r.id}));
  RETURN_IF_ERROR(cf.CheckComplete(values[r.id], "approval"));
  ASSIGN_OR_RETURN(std::vector<ApprovalChain> chains, ActiveChains(c));
  ASSIGN_OR_RETURN(
      ApprovalChain chain,
      ChooseChain(chains, static_cast<CustomerType>(r.customer_type),
                  r.amount_minor));
  r.status = ContractStatus::kPendingApproval;
  r.approval_steps = JoinSteps(chain.steps);
  r.current_step = 0;
  r.approval_round += 1;
  RETURN_IF_ERROR(contract_store::SetState(c, r, now));
  ApprovalEntryRecord e;
  e.contract_id = r.id;
  e.round = r.approval_round;
  e.step = 0;
  e.action = action;
  e.actor_id = p.user_id;
  e.comment = comment;
  e.created_at = now;
  RETURN_IF_ERROR(contract_store::AddHistory(c, e));
  return AppendStepWaiting(c, r, now);
}

grpc::Status OrdersServiceImpl::SubmitContract(
    grpc::ServerContext* ctx, const pb::SubmitContractRequest* req,
    pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(ValidateComment(req->comment(), false));
    customfields::EntityFields fields(pool_, clock_);
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->id(), true));
      RETURN_IF_ERROR(RequireOwnerOrManager(p, r, "submit a contract"));
      if (r.status != ContractStatus::kDraft) {
        if (r.status == ContractStatus::kRejected) {
          return absl::FailedPreconditionError(absl::StrCat(
              "contract ", r.id, " was rejected; use ResubmitContract"));
        }
        return WrongState(r, "submitted", "DRAFT");
      }
      RETURN_IF_ERROR(StartChain(c, p, r, ApprovalAction::kSubmit,
                                 req->comment(), now, fields));
      resp->Clear();
      ToProto(r, resp);
      return absl::OkStatus();
    }));
    return customfields::EntityFields(pool_, clock_)
        .Present("contract", p, {{resp->id(), resp}});
  });
}

grpc::Status OrdersServiceImpl::ResubmitContract(
    grpc::ServerContext* ctx, const pb::ResubmitContractRequest* req,
    pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(ValidateComment(req->comment(), false));
    customfields::EntityFields fields(pool_, clock_);
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->id(), true));
      RETURN_IF_ERROR(RequireOwnerOrManager(p, r, "resubmit a contract"));
      if (r.status != ContractStatus::kRejected)
        return WrongState(r, "resubmitted", "REJECTED");
      RETURN_IF_ERROR(StartChain(c, p, r, ApprovalAction::kResubmit,
                                 req->comment(), now, fields));
      resp->Clear();
      ToProto(r, resp);
      return absl::OkStatus();
    }));
    return customfields::EntityFields(pool_, clock_)
        .Present("contract", p, {{resp->id(), resp}});
  });
}

// Checks that `p` may decide step `step` of `r` (pending, at that step,
// holding its role, not the owner).
static absl::Status CheckDecider(const auth::Principal& p,
                                 const ContractRecord& r, int step,
                                 std::string_view action) {
  if (r.status != ContractStatus::kPendingApproval)
    return WrongState(r, action, "PENDING_APPROVAL");
  const std::vector<std::string> steps = SplitSteps(r.approval_steps);
  if (step != r.current_step) {
    return absl::AbortedError(absl::StrCat(
        "step ", step, " of contract ", r.id, " is not the current one (step ",
        r.current_step, " waits for ", steps.at(r.current_step),
        "); reload and retry"));
  }
  const std::string& role = steps.at(r.current_step);
  if (!CanActOnStep(p, role)) {
    return absl::PermissionDeniedError(absl::StrCat("step ", r.current_step,
                                                    " of contract ", r.id,
                                                    " needs the role ", role));
  }
  if (p.user_id == r.owner_id) {
    return absl::PermissionDeniedError(
        "the contract's owner may not approve or reject it");
  }
  return absl::OkStatus();
}

absl::Status OrdersServiceImpl::DecideContractStep(const auth::Principal& p,
                                                   int64_t id, int step,
                                                   const std::string& comment,
                                                   ApprovalAction action,
                                                   pb::Contract* resp) {
  const bool approve = action == ApprovalAction::kApprove;
  // A rejection says why; an approval may.
  RETURN_IF_ERROR(ValidateComment(comment, /*required=*/!approve));
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
    ASSIGN_OR_RETURN(ContractRecord r, VisibleContract(c, p, id, true));
    RETURN_IF_ERROR(
        CheckDecider(p, r, step, approve ? "approved" : "rejected"));
    const std::vector<std::string> steps = SplitSteps(r.approval_steps);
    ApprovalEntryRecord e;
    e.contract_id = r.id;
    e.round = r.approval_round;
    e.step = r.current_step;
    e.role = steps.at(r.current_step);
    e.action = action;
    e.actor_id = p.user_id;
    e.comment = comment;
    e.created_at = now;
    RETURN_IF_ERROR(contract_store::AddHistory(c, e));
    const bool advanced =
        approve && r.current_step + 1 < static_cast<int>(steps.size());
    if (advanced) {
      r.current_step += 1;
    } else {
      r.status =
          approve ? ContractStatus::kApproved : ContractStatus::kRejected;
    }
    RETURN_IF_ERROR(contract_store::SetState(c, r, now));
    if (advanced) RETURN_IF_ERROR(AppendStepWaiting(c, r, now));
    resp->Clear();
    ToProto(r, resp);
    return absl::OkStatus();
  }));
  return customfields::EntityFields(pool_, clock_)
      .Present("contract", p, {{resp->id(), resp}});
}

grpc::Status OrdersServiceImpl::ApproveContract(
    grpc::ServerContext* ctx, const pb::ApproveContractRequest* req,
    pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    return DecideContractStep(p, req->id(), req->step(), req->comment(),
                              ApprovalAction::kApprove, resp);
  });
}

grpc::Status OrdersServiceImpl::RejectContract(
    grpc::ServerContext* ctx, const pb::RejectContractRequest* req,
    pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    return DecideContractStep(p, req->id(), req->step(), req->comment(),
                              ApprovalAction::kReject, resp);
  });
}

grpc::Status OrdersServiceImpl::ListApprovalHistory(
    grpc::ServerContext* ctx, const pb::ListApprovalHistoryRequest* req,
    pb::ListApprovalHistoryResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->contract_id()));
      ASSIGN_OR_RETURN(std::vector<ApprovalEntryRecord> entries,
                       contract_store::History(c, r.id));
      for (const ApprovalEntryRecord& e : entries)
        ToProto(e, resp->add_entries());
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::SignContract(grpc::ServerContext* ctx,
                                             const pb::SignContractRequest* req,
                                             pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    const absl::Time now = clock_->Now();
    bool signed_now = false;
    ContractRecord signed_contract;
    int64_t pending = 0;  // MarkBumpPending's row
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      signed_now = false;
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->id(), true));
      RETURN_IF_ERROR(RequireOwnerOrManager(p, r, "sign a contract"));
      if (r.status == ContractStatus::kSigned) {  // a retry
        signed_contract = r;
        return absl::OkStatus();
      }
      if (r.status != ContractStatus::kApproved)
        return WrongState(r, "signed", "APPROVED");
      RETURN_IF_ERROR(contract_store::MarkSigned(c, r, now));
      ApprovalEntryRecord e;
      e.contract_id = r.id;
      e.round = r.approval_round;
      e.step = r.current_step;
      e.action = ApprovalAction::kSign;
      e.actor_id = p.user_id;
      e.created_at = now;
      RETURN_IF_ERROR(contract_store::AddHistory(c, e));
      nlohmann::json payload = {
          {"contract_id", absl::StrCat(r.id)},
          {"account_id", r.account_id},
          {"amount_minor", r.amount_minor},
          {"currency", "CNY"},
          {"signed_at", events::FormatOccurredAt(now)},
          {"owner_id", r.owner_id},
          {"owner_org_path", r.owner_org_path},
          {"contract_type",
           r.type == ContractType::kRenewal ? "renewal" : "new"},
          {"opportunity_id", r.opportunity_id},
          // Until then the contract protects the customer from recycling.
          {"end_date", absl::FormatCivilTime(r.end_date)}};
      RETURN_IF_ERROR(events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                             "ContractSigned",
                                             absl::StrCat(r.id), payload, now)
                          .status());
      ASSIGN_OR_RETURN(pending,
                       MarkBumpPending(c, BoardMetric::kSigned,
                                       config_.calendar.DayOf(now), now));
      ASSIGN_OR_RETURN(signed_contract, contract_store::Get(c, r.id));
      signed_now = true;
      return absl::OkStatus();
    }));
    if (signed_now) {
      BumpBoards(BoardMetric::kSigned, config_.calendar.DayOf(now),
                 signed_contract.owner_id, signed_contract.owner_org_path,
                 signed_contract.amount_minor, pending);
    }
    ToProto(signed_contract, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("contract", p, {{signed_contract.id, resp}});
  });
}

}  // namespace crm::orders
