// Contracts: create (from a quote or directly), read, list, edit drafts.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
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
    // Custom fields and field permissions (common/customfields); the values
    // are written in the contract's own transaction.
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("contract"));
    customfields::Values values(req->contract().custom_fields().begin(),
                                req->contract().custom_fields().end());
    // Required fields may wait until the draft is submitted (a draft made
    // for a won opportunity cannot know them; ADR 0085).
    RETURN_IF_ERROR(cf.CheckCreate(p, req->contract(), &values,
                                   /*enforce_required=*/false));
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
    if (retried) return fields.PresentMany(cf, p, {{resp->id(), resp}});

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
          ASSIGN_OR_RETURN(int64_t new_id,
                           contract_store::Insert(c, r, key, now));
          RETURN_IF_ERROR(
              fields.store()
                  .PutValuesOn(c, "contract", new_id, cf.defs(), values)
                  .status());
          return new_id;
        });
    if (absl::IsAlreadyExists(id.status())) {
      // A concurrent retry with the same request id won the insert.
      ASSIGN_OR_RETURN(bool found, prior());
      if (found) return fields.PresentMany(cf, p, {{resp->id(), resp}});
    }
    RETURN_IF_ERROR(id.status());
    RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord created, contract_store::Get(c, *id));
      ToProto(created, resp);
      return absl::OkStatus();
    }));
    return fields.PresentMany(cf, p, {{*id, resp}});
  });
}

grpc::Status OrdersServiceImpl::GetContract(grpc::ServerContext* ctx,
                                            const pb::GetContractRequest* req,
                                            pb::Contract* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r, VisibleContract(c, p, req->id()));
      ToProto(r, resp);
      return absl::OkStatus();
    }));
    return customfields::EntityFields(pool_, clock_)
        .Present("contract", p, {{resp->id(), resp}});
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
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("contract"));
    ASSIGN_OR_RETURN(f.extra, cf.Filters({req->custom_field_filter().begin(),
                                          req->custom_field_filter().end()},
                                         "contracts.id"));
    RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(std::vector<ContractRecord> rows,
                       contract_store::List(c, p, f));
      for (const ContractRecord& r : rows) ToProto(r, resp->add_contracts());
      resp->set_next_page_token(
          paging::NextPageToken("ListContracts", rows, f.limit));
      return absl::OkStatus();
    }));
    std::vector<std::pair<int64_t, google::protobuf::Message*>> items;
    for (pb::Contract& out : *resp->mutable_contracts())
      items.push_back({out.id(), &out});
    return fields.PresentMany(cf, p, items);
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
    // Field permissions for every path, custom field values validated.
    customfields::EntityFields fields(pool_, clock_);
    ASSIGN_OR_RETURN(customfields::EntityContext cf, fields.Load("contract"));
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, in.id(), /*for_update=*/true));
      RETURN_IF_ERROR(RequireOwnerOrManager(p, r, "edit a contract"));
      customfields::Values cf_changes;
      std::vector<std::string> paths;
      RETURN_IF_ERROR(
          cf.CheckUpdate(p,
                         {req->update_mask().paths().begin(),
                          req->update_mask().paths().end()},
                         {in.custom_fields().begin(), in.custom_fields().end()},
                         &cf_changes, &paths));
      if (!Editable(r.status)) return NotEditable(r);
      if (!cf_changes.empty()) {
        RETURN_IF_ERROR(
            fields.store()
                .PutValuesOn(c, "contract", r.id, cf.defs(), cf_changes)
                .status());
      }
      if (paths.empty()) return absl::OkStatus();
      ContractTerms t = TermsOf(r);
      for (const std::string& path : paths) {
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
    RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r, contract_store::Get(c, in.id()));
      ToProto(r, resp);
      return absl::OkStatus();
    }));
    return fields.PresentMany(cf, p, {{resp->id(), resp}});
  });
}

}  // namespace crm::orders
