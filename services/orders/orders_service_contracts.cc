// Contracts: create (from a quote or directly), read, list, edit drafts.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/contract_store.h"
#include "services/orders/store/quote_store.h"

namespace crm::orders {
namespace {

namespace acpb = crm::accounts::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

bool Editable(ContractStatus s) {
  return s == ContractStatus::kDraft || s == ContractStatus::kRejected;
}

absl::Status NotEditable(const ContractRecord& r) {
  if (r.status == ContractStatus::kPendingApproval) {
    return absl::FailedPreconditionError(
        absl::StrCat("contract ", r.id,
                     " is under approval and cannot be edited; ask an "
                     "approver to reject it first"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("contract ", r.id, " is ",
                   r.status == ContractStatus::kSigned ? "signed" : "approved",
                   " and can no longer be edited"));
}

}  // namespace

grpc::Status OrdersServiceImpl::CreateContract(
    grpc::ServerContext* ctx, const pb::CreateContractRequest* req,
    pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->request_id());
    if (p.IsService() || p.user_id <= 0) {
      return absl::PermissionDeniedError(
          "contracts are created by users, not services");
    }
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    const std::string key =
        req->request_id().empty()
            ? ""
            : absl::StrCat(p.user_id, ":", req->request_id());
    auto prior = [&]() -> absl::StatusOr<bool> {
      if (key.empty()) return false;
      bool found = false;
      RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
        ASSIGN_OR_RETURN(std::optional<int64_t> id,
                         contract_store::FindByRequestKey(c, key));
        if (!id.has_value()) return absl::OkStatus();
        ASSIGN_OR_RETURN(ContractRecord r, contract_store::Get(c, *id));
        ToProto(r, resp);
        found = true;
        return absl::OkStatus();
      }));
      return found;
    };
    ASSIGN_OR_RETURN(bool retried, prior());
    if (retried) return absl::OkStatus();

    const pb::Contract& in = req->contract();
    ASSIGN_OR_RETURN(ContractTerms terms, TermsFromProto(in));
    RETURN_IF_ERROR(ValidateTerms(terms));
    if (in.opportunity_id() < 0)
      return InvalidField("opportunity_id", "must not be negative");
    if (in.quote_id() < 0)
      return InvalidField("quote_id", "must not be negative");
    ASSIGN_OR_RETURN(acpb::Account account,
                     LookupAccount(ctx, in.account_id()));

    ContractRecord r;
    ApplyTerms(terms, &r);
    r.account_id = account.id();
    r.customer_type = account.type() == acpb::CUSTOMER_TYPE_KA ? 2 : 1;
    r.owner_id = p.user_id;
    r.owner_org_path = p.org_path;
    r.opportunity_id = in.opportunity_id();
    r.quote_id = in.quote_id();
    r.status = ContractStatus::kDraft;
    r.created_by = p.user_id;
    const absl::Time now = clock_->Now();
    absl::StatusOr<int64_t> id = db::RunInTransactionFor<int64_t>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
          if (r.type == ContractType::kRenewal) {
            absl::StatusOr<ContractRecord> pred =
                VisibleContract(c, p, r.predecessor_contract_id);
            if (absl::IsNotFound(pred.status())) {
              return InvalidField("predecessor_contract_id",
                                  "names no contract you can see");
            }
            RETURN_IF_ERROR(pred.status());
            if (pred->account_id != r.account_id) {
              return InvalidField("predecessor_contract_id",
                                  "belongs to another account");
            }
            if (pred->status != ContractStatus::kSigned) {
              return InvalidField("predecessor_contract_id",
                                  "must be a signed contract");
            }
          }
          if (r.quote_id > 0) {
            // From a quote: approved, same account, same total.
            absl::StatusOr<QuoteRecord> q = quote_store::Get(c, r.quote_id);
            if (absl::IsNotFound(q.status()) ||
                (q.ok() && !auth::CanSee(p, q->owner_id, q->owner_org_path))) {
              return InvalidField("quote_id", "names no quote you can see");
            }
            RETURN_IF_ERROR(q.status());
            if (q->status != QuoteStatus::kApproved)
              return InvalidField("quote_id", "the quote is not approved");
            if (q->account_id != r.account_id)
              return InvalidField("quote_id", "belongs to another account");
            if (q->total_minor != r.amount_minor) {
              return InvalidField("amount",
                                  absl::StrCat("must equal the quote's total ",
                                               q->total_minor));
            }
          }
          return contract_store::Insert(c, r, key, now);
        });
    if (absl::IsAlreadyExists(id.status())) {
      // A concurrent retry with the same request id won the insert.
      ASSIGN_OR_RETURN(bool found, prior());
      if (found) return absl::OkStatus();
    }
    RETURN_IF_ERROR(id.status());
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord created, contract_store::Get(c, *id));
      ToProto(created, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::GetContract(grpc::ServerContext* ctx,
                                            const pb::GetContractRequest* req,
                                            pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r, VisibleContract(c, p, req->id()));
      ToProto(r, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::ListContracts(
    grpc::ServerContext* ctx, const pb::ListContractsRequest* req,
    pb::ListContractsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    contract_store::ListFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(),
                                               kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(f.after_id, paging::DecodePageToken("ListContracts",
                                                         req->page_token()));
    if (req->account_id() < 0 || req->owner_id() < 0)
      return InvalidField("account_id", "must not be negative");
    f.account_id = req->account_id();
    f.owner_id = req->owner_id();
    f.status = static_cast<int>(req->status());
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(std::vector<ContractRecord> rows,
                       contract_store::List(c, p, f));
      for (const ContractRecord& r : rows) ToProto(r, resp->add_contracts());
      resp->set_next_page_token(
          paging::NextPageToken("ListContracts", rows, f.limit));
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::UpdateContract(
    grpc::ServerContext* ctx, const pb::UpdateContractRequest* req,
    pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "name at least one field");
    const pb::Contract& in = req->contract();
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, in.id(), /*for_update=*/true));
      RETURN_IF_ERROR(RequireOwnerOrManager(p, r, "edit a contract"));
      if (!Editable(r.status)) return NotEditable(r);
      ContractTerms t = TermsOf(r);
      for (const std::string& path : req->update_mask().paths()) {
        if (path == "title") {
          t.title = in.title();
        } else if (path == "amount") {
          ASSIGN_OR_RETURN(t.amount_minor, MinorOf("amount", in.amount()));
        } else if (path == "start_date") {
          ASSIGN_OR_RETURN(t.start_date,
                           ParseDate("start_date", in.start_date()));
        } else if (path == "end_date") {
          ASSIGN_OR_RETURN(t.end_date, ParseDate("end_date", in.end_date()));
        } else if (path == "installments") {
          pb::Contract only_plan = in;
          only_plan.set_type(pb::CONTRACT_TYPE_NEW);
          only_plan.set_start_date("1970-01-01");
          only_plan.set_end_date("1970-01-01");
          ASSIGN_OR_RETURN(ContractTerms parsed, TermsFromProto(only_plan));
          t.plan = parsed.plan;
        } else {
          return InvalidField(
              "update_mask",
              absl::StrCat("cannot update '", path,
                           "'; mutable: title, amount, start_date, end_date, "
                           "installments"));
        }
      }
      RETURN_IF_ERROR(ValidateTerms(t));
      ApplyTerms(t, &r);
      return contract_store::UpdateDraft(c, r, now);
    }));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r, contract_store::Get(c, in.id()));
      ToProto(r, resp);
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::orders
