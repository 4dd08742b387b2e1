// The product catalogue and regional price lists. Admins maintain them;
// everyone signed in may read them.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "services/orders/domain/payment_plan.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/catalog_store.h"

namespace crm::orders {
namespace {

absl::Status ValidateSku(const std::string& sku) {
  if (sku.empty() || sku.size() > 40 ||
      sku.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
          std::string::npos) {
    return InvalidField("sku", "1..40 characters of A-Z, 0-9 and '-'");
  }
  return absl::OkStatus();
}

absl::Status ValidateProduct(const ProductRecord& p) {
  if (p.name.empty() || p.name.size() > 200)
    return InvalidField("name", "required, at most 200 bytes");
  if (p.unit.empty() || p.unit.size() > 40)
    return InvalidField("unit", "required, at most 40 bytes");
  if (p.list_price_minor < 0 || p.list_price_minor > kMaxAmountMinor)
    return InvalidField("list_price", "must be 0..10^15 minor units");
  return absl::OkStatus();
}

absl::Status ValidRegion(const std::string& region) {
  if (region.empty() || region.size() > 32 ||
      region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") !=
          std::string::npos)
    return InvalidField("region_code", "1..32 characters of a-z, 0-9, _ -");
  return absl::OkStatus();
}

}  // namespace

grpc::Status OrdersServiceImpl::CreateProduct(
    grpc::ServerContext* ctx, const pb::CreateProductRequest* req,
    pb::Product* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "maintain the product catalogue"));
    const pb::Product& in = req->product();
    ProductRecord r;
    r.sku = in.sku();
    r.name = in.name();
    r.unit = in.unit();
    r.active = true;
    ASSIGN_OR_RETURN(r.list_price_minor,
                     MinorOf("list_price", in.list_price()));
    RETURN_IF_ERROR(ValidateSku(r.sku));
    RETURN_IF_ERROR(ValidateProduct(r));
    const absl::Time now = clock_->Now();
    absl::StatusOr<int64_t> id = db::RunInTransactionFor<int64_t>(
        *pool_, [&](db::Connection& c) -> absl::StatusOr<int64_t> {
          ASSIGN_OR_RETURN(auto existing, catalog_store::FindBySku(c, r.sku));
          if (existing.has_value()) {
            return absl::AlreadyExistsError(absl::StrCat(
                "sku: product ", existing->id, " already has SKU ", r.sku));
          }
          return catalog_store::Insert(c, r, now);
        });
    if (absl::IsAlreadyExists(id.status()) &&
        !absl::StrContains(id.status().message(), "sku:")) {
      return absl::AlreadyExistsError(
          absl::StrCat("sku: another product already has SKU ", r.sku));
    }
    RETURN_IF_ERROR(id.status());
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ProductRecord created, catalog_store::Get(c, *id));
      ToProto(created, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::GetProduct(grpc::ServerContext* ctx,
                                           const pb::GetProductRequest* req,
                                           pb::Product* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    (void)p;
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ProductRecord r, catalog_store::Get(c, req->id()));
      ToProto(r, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::ListProducts(grpc::ServerContext* ctx,
                                             const pb::ListProductsRequest* req,
                                             pb::ListProductsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    (void)p;
    ASSIGN_OR_RETURN(int limit, paging::PageSize(req->page_size(), 50, 500));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken("ListProducts",
                                                            req->page_token()));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(
          auto rows, catalog_store::List(c, after, limit, req->active_only()));
      for (const ProductRecord& r : rows) ToProto(r, resp->add_products());
      resp->set_next_page_token(
          paging::NextPageToken("ListProducts", rows, limit));
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::UpdateProduct(
    grpc::ServerContext* ctx, const pb::UpdateProductRequest* req,
    pb::Product* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "maintain the product catalogue"));
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "name at least one field");
    const pb::Product& in = req->product();
    const absl::Time now = clock_->Now();
    return db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ProductRecord r, catalog_store::Get(c, in.id()));
      for (const std::string& path : req->update_mask().paths()) {
        if (path == "name") {
          r.name = in.name();
        } else if (path == "unit") {
          r.unit = in.unit();
        } else if (path == "list_price") {
          ASSIGN_OR_RETURN(r.list_price_minor,
                           MinorOf("list_price", in.list_price()));
        } else if (path == "active") {
          r.active = in.active();
        } else {
          return InvalidField("update_mask",
                              absl::StrCat("cannot update '", path,
                                           "'; mutable: name, unit, "
                                           "list_price, active"));
        }
      }
      RETURN_IF_ERROR(ValidateProduct(r));
      RETURN_IF_ERROR(catalog_store::Update(c, r, now));
      r.updated_at = now;
      ToProto(r, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::SetRegionPrice(
    grpc::ServerContext* ctx, const pb::SetRegionPriceRequest* req,
    pb::RegionPrice* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "maintain price lists"));
    const pb::RegionPrice& in = req->price();
    RETURN_IF_ERROR(ValidRegion(in.region_code()));
    ASSIGN_OR_RETURN(int64_t price, MinorOf("price", in.price()));
    if (price < 0 || price > kMaxAmountMinor)
      return InvalidField("price", "must be 0..10^15 minor units");
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
      RETURN_IF_ERROR(catalog_store::Get(c, in.product_id()).status());
      return catalog_store::SetRegionPrice(c, in.product_id(), in.region_code(),
                                           price, now);
    }));
    resp->set_product_id(in.product_id());
    resp->set_region_code(in.region_code());
    SetMoney(price, resp->mutable_price());
    return absl::OkStatus();
  });
}

grpc::Status OrdersServiceImpl::ListRegionPrices(
    grpc::ServerContext* ctx, const pb::ListRegionPricesRequest* req,
    pb::ListRegionPricesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    (void)p;
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      RETURN_IF_ERROR(catalog_store::Get(c, req->product_id()).status());
      ASSIGN_OR_RETURN(auto prices,
                       catalog_store::RegionPrices(c, req->product_id()));
      for (const auto& [region, price] : prices) {
        pb::RegionPrice* o = resp->add_prices();
        o->set_product_id(req->product_id());
        o->set_region_code(region);
        SetMoney(price, o->mutable_price());
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::orders
