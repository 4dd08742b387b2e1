// Invoices: request (the contract's people), issue and void (finance). The
// invoices of a contract that are not void never exceed its amount.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/contract_store.h"
#include "services/orders/store/invoice_store.h"

namespace crm::orders {

grpc::Status OrdersServiceImpl::RequestInvoice(
    grpc::ServerContext* ctx, const pb::RequestInvoiceRequest* req,
    pb::Invoice* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    ASSIGN_OR_RETURN(int64_t amount, MinorOf("amount", req->amount()));
    if (amount <= 0) return InvalidField("amount", "must be positive");
    const std::string key =
        req->request_id().empty()
            ? ""
            : absl::StrCat(p.user_id, ":", req->request_id());
    const absl::Time now = clock_->Now();
    absl::StatusOr<int64_t> id = db::RunInTransactionFor<int64_t>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
          ASSIGN_OR_RETURN(ContractRecord r,
                           VisibleContract(c, p, req->contract_id(), true));
          if (!key.empty()) {
            ASSIGN_OR_RETURN(auto prior,
                             invoice_store::FindByRequestKey(c, key));
            if (prior.has_value()) return *prior;
          }
          if (!p.HasRole(auth::kRoleFinance))
            RETURN_IF_ERROR(RequireOwnerOrManager(p, r, "request invoices"));
          if (r.status != ContractStatus::kSigned) {
            return absl::FailedPreconditionError(
                absl::StrCat("contract ", r.id,
                             " is not signed; invoices need a signed "
                             "contract"));
          }
          ASSIGN_OR_RETURN(int64_t invoiced,
                           invoice_store::InvoicedTotal(c, r.id));
          if (invoiced + amount > r.amount_minor) {
            return InvalidField(
                "amount",
                absl::StrCat("invoices would total ", invoiced + amount,
                             ", above the contract amount ", r.amount_minor,
                             " (", invoiced, " already invoiced)"));
          }
          InvoiceRecord inv;
          inv.contract_id = r.id;
          inv.amount_minor = amount;
          inv.status = InvoiceStatus::kRequested;
          inv.requested_by = p.user_id;
          return invoice_store::Insert(c, inv, key, now);
        });
    RETURN_IF_ERROR(id.status());
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(InvoiceRecord inv, invoice_store::Get(c, *id));
      ToProto(inv, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::IssueInvoice(grpc::ServerContext* ctx,
                                             const pb::IssueInvoiceRequest* req,
                                             pb::Invoice* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireFinance(p, "issue invoices"));
    if (req->invoice_number().empty() || req->invoice_number().size() > 64)
      return InvalidField("invoice_number", "required, at most 64 bytes");
    const absl::Time now = clock_->Now();
    return db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(InvoiceRecord inv,
                       invoice_store::Get(c, req->id(), true));
      absl::Status visible = VisibleContract(c, p, inv.contract_id).status();
      if (absl::IsNotFound(visible))
        return absl::NotFoundError(
            absl::StrCat("invoice ", req->id(), " not found"));
      RETURN_IF_ERROR(visible);
      if (inv.status != InvoiceStatus::kRequested) {
        return absl::FailedPreconditionError(
            absl::StrCat("invoice ", inv.id, " is not waiting to be issued"));
      }
      RETURN_IF_ERROR(invoice_store::SetStatus(
          c, inv.id, InvoiceStatus::kIssued, req->invoice_number(), "", now));
      inv.status = InvoiceStatus::kIssued;
      inv.invoice_number = req->invoice_number();
      ToProto(inv, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::VoidInvoice(grpc::ServerContext* ctx,
                                            const pb::VoidInvoiceRequest* req,
                                            pb::Invoice* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireFinance(p, "void invoices"));
    if (req->reason().empty() || req->reason().size() > 300)
      return InvalidField("reason", "required, at most 300 bytes");
    const absl::Time now = clock_->Now();
    return db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(InvoiceRecord inv,
                       invoice_store::Get(c, req->id(), true));
      absl::Status visible = VisibleContract(c, p, inv.contract_id).status();
      if (absl::IsNotFound(visible))
        return absl::NotFoundError(
            absl::StrCat("invoice ", req->id(), " not found"));
      RETURN_IF_ERROR(visible);
      if (inv.status == InvoiceStatus::kVoid) {
        return absl::FailedPreconditionError(
            absl::StrCat("invoice ", inv.id, " is already void"));
      }
      RETURN_IF_ERROR(invoice_store::SetStatus(c, inv.id, InvoiceStatus::kVoid,
                                               "", req->reason(), now));
      inv.status = InvoiceStatus::kVoid;
      ToProto(inv, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::ListInvoices(grpc::ServerContext* ctx,
                                             const pb::ListInvoicesRequest* req,
                                             pb::ListInvoicesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->contract_id()));
      ASSIGN_OR_RETURN(auto rows, invoice_store::ListByContract(c, r.id));
      for (const InvoiceRecord& inv : rows) ToProto(inv, resp->add_invoices());
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::orders
