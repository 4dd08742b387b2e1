// Quotes: server-side pricing, discount authority and manager approval.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "services/orders/domain/quote_rules.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/catalog_store.h"
#include "services/orders/store/quote_store.h"

namespace crm::orders {
namespace {

namespace acpb = crm::accounts::v1;

absl::StatusOr<QuoteRecord> VisibleQuote(db::Connection& c,
                                         const auth::Principal& p, int64_t id,
                                         bool for_update = false) {
  if (id <= 0) return InvalidField("id", "must be a positive quote id");
  absl::StatusOr<QuoteRecord> q = quote_store::Get(c, id, for_update);
  if (q.ok() && auth::CanSee(p, q->owner_id, q->owner_org_path)) return q;
  if (!q.ok() && !absl::IsNotFound(q.status())) return q.status();
  return absl::NotFoundError(absl::StrCat("quote ", id, " not found"));
}

// A manager (wide scope) whose own limit covers the quote's discount, not
// its owner; the quote must wait for approval.
absl::Status CheckQuoteDecider(const auth::Principal& p, const QuoteRecord& q) {
  if (q.status != QuoteStatus::kPendingApproval) {
    return absl::FailedPreconditionError(
        absl::StrCat("quote ", q.id, " is not pending approval"));
  }
  if (p.scope == auth::DataScope::kSelf)
    return absl::PermissionDeniedError("only managers may decide quotes");
  if (p.user_id == q.owner_id)
    return absl::PermissionDeniedError("the quote's owner may not decide it");
  if (DiscountLimitBp(p) < q.max_discount_bp) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a discount of ", q.max_discount_bp, " bp is beyond your limit of ",
        DiscountLimitBp(p), " bp; ask a boss"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status OrdersServiceImpl::CreateQuote(grpc::ServerContext* ctx,
                                            const pb::CreateQuoteRequest* req,
                                            pb::Quote* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (p.IsService() || p.user_id <= 0)
      return absl::PermissionDeniedError("quotes are made by users");
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    const std::string key =
        req->request_id().empty()
            ? ""
            : absl::StrCat(p.user_id, ":", req->request_id());
    auto prior = [&]() -> absl::StatusOr<bool> {
      if (key.empty()) return false;
      bool found = false;
      RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
        ASSIGN_OR_RETURN(auto id, quote_store::FindByRequestKey(c, key));
        if (!id.has_value()) return absl::OkStatus();
        ASSIGN_OR_RETURN(QuoteRecord q, quote_store::Get(c, *id));
        ToProto(q, resp);
        found = true;
        return absl::OkStatus();
      }));
      return found;
    };
    ASSIGN_OR_RETURN(bool retried, prior());
    if (retried) return absl::OkStatus();

    const pb::Quote& in = req->quote();
    if (in.opportunity_id() < 0)
      return InvalidField("opportunity_id", "must not be negative");
    if (in.lines_size() == 0 || in.lines_size() > kMaxQuoteLines)
      return InvalidField("lines", "1..100 lines");
    ASSIGN_OR_RETURN(acpb::Account account,
                     LookupAccount(ctx, in.account_id()));
    QuoteRecord q;
    q.account_id = account.id();
    q.opportunity_id = in.opportunity_id();
    q.owner_id = p.user_id;
    q.owner_org_path = p.org_path;
    q.region_code = !in.region_code().empty()        ? in.region_code()
                    : !account.region_code().empty() ? account.region_code()
                                                     : p.region_code;
    const absl::Time now = clock_->Now();
    absl::StatusOr<int64_t> id = db::RunInTransactionFor<int64_t>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
          std::vector<PricedLine> priced;
          q.lines.clear();
          for (int i = 0; i < in.lines_size(); ++i) {
            const pb::QuoteLine& l = in.lines(i);
            absl::StatusOr<ProductRecord> product =
                catalog_store::Get(c, l.product_id());
            if (absl::IsNotFound(product.status()) ||
                (product.ok() && !product->active)) {
              return InvalidField(absl::StrCat("lines[", i, "].product_id"),
                                  "names no active product");
            }
            RETURN_IF_ERROR(product.status());
            ASSIGN_OR_RETURN(
                std::optional<int64_t> regional,
                catalog_store::RegionPrice(c, product->id, q.region_code));
            const int64_t unit = regional.value_or(product->list_price_minor);
            priced.push_back({unit, l.quantity(), l.discount_bp()});
            q.lines.push_back(
                {product->id, l.quantity(), l.discount_bp(), unit, 0});
          }
          ASSIGN_OR_RETURN(QuoteTotals totals, PriceQuote(priced));
          for (size_t i = 0; i < q.lines.size(); ++i)
            q.lines[i].net_minor = totals.nets[i];
          q.list_total_minor = totals.list_total_minor;
          q.total_minor = totals.total_minor;
          q.max_discount_bp = totals.max_discount_bp;
          q.status = totals.max_discount_bp > DiscountLimitBp(p)
                         ? QuoteStatus::kPendingApproval
                         : QuoteStatus::kApproved;
          return quote_store::Insert(c, q, key, now);
        });
    if (absl::IsAlreadyExists(id.status())) {
      ASSIGN_OR_RETURN(bool found, prior());
      if (found) return absl::OkStatus();
    }
    RETURN_IF_ERROR(id.status());
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(QuoteRecord created, quote_store::Get(c, *id));
      ToProto(created, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::GetQuote(grpc::ServerContext* ctx,
                                         const pb::GetQuoteRequest* req,
                                         pb::Quote* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(QuoteRecord q, VisibleQuote(c, p, req->id()));
      ToProto(q, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::ListQuotes(grpc::ServerContext* ctx,
                                           const pb::ListQuotesRequest* req,
                                           pb::ListQuotesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(int limit, paging::PageSize(req->page_size(), 50, 200));
    ASSIGN_OR_RETURN(int64_t after,
                     paging::DecodePageToken("ListQuotes", req->page_token()));
    if (req->account_id() < 0)
      return InvalidField("account_id", "must not be negative");
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(auto rows,
                       quote_store::List(c, p, after, limit, req->account_id(),
                                         static_cast<int>(req->status())));
      for (const QuoteRecord& q : rows) ToProto(q, resp->add_quotes());
      resp->set_next_page_token(
          paging::NextPageToken("ListQuotes", rows, limit));
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::ApproveQuote(grpc::ServerContext* ctx,
                                             const pb::ApproveQuoteRequest* req,
                                             pb::Quote* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(ValidateComment(req->comment(), false));
    const absl::Time now = clock_->Now();
    return db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(QuoteRecord q, VisibleQuote(c, p, req->id(), true));
      RETURN_IF_ERROR(CheckQuoteDecider(p, q));
      q.status = QuoteStatus::kApproved;
      q.decided_by = p.user_id;
      q.decision_comment = req->comment();
      RETURN_IF_ERROR(quote_store::Decide(c, q, now));
      ToProto(q, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::RejectQuote(grpc::ServerContext* ctx,
                                            const pb::RejectQuoteRequest* req,
                                            pb::Quote* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(ValidateComment(req->comment(), true));
    const absl::Time now = clock_->Now();
    return db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(QuoteRecord q, VisibleQuote(c, p, req->id(), true));
      RETURN_IF_ERROR(CheckQuoteDecider(p, q));
      q.status = QuoteStatus::kRejected;
      q.decided_by = p.user_id;
      q.decision_comment = req->comment();
      RETURN_IF_ERROR(quote_store::Decide(c, q, now));
      ToProto(q, resp);
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::orders
