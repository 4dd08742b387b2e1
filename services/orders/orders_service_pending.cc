// RPCs not built yet: UNIMPLEMENTED (never a stub answer).
#include "services/orders/orders_service.h"

namespace crm::orders {
namespace {

grpc::Status NotYet(const char* rpc) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      std::string(rpc) + " is not implemented yet");
}

}  // namespace

grpc::Status OrdersServiceImpl::CreateProduct(grpc::ServerContext*,
                                              const pb::CreateProductRequest*,
                                              pb::Product*) {
  return NotYet("CreateProduct");
}

grpc::Status OrdersServiceImpl::GetProduct(grpc::ServerContext*,
                                           const pb::GetProductRequest*,
                                           pb::Product*) {
  return NotYet("GetProduct");
}

grpc::Status OrdersServiceImpl::ListProducts(grpc::ServerContext*,
                                             const pb::ListProductsRequest*,
                                             pb::ListProductsResponse*) {
  return NotYet("ListProducts");
}

grpc::Status OrdersServiceImpl::UpdateProduct(grpc::ServerContext*,
                                              const pb::UpdateProductRequest*,
                                              pb::Product*) {
  return NotYet("UpdateProduct");
}

grpc::Status OrdersServiceImpl::SetRegionPrice(grpc::ServerContext*,
                                               const pb::SetRegionPriceRequest*,
                                               pb::RegionPrice*) {
  return NotYet("SetRegionPrice");
}

grpc::Status OrdersServiceImpl::ListRegionPrices(
    grpc::ServerContext*, const pb::ListRegionPricesRequest*,
    pb::ListRegionPricesResponse*) {
  return NotYet("ListRegionPrices");
}

grpc::Status OrdersServiceImpl::CreateQuote(grpc::ServerContext*,
                                            const pb::CreateQuoteRequest*,
                                            pb::Quote*) {
  return NotYet("CreateQuote");
}

grpc::Status OrdersServiceImpl::GetQuote(grpc::ServerContext*,
                                         const pb::GetQuoteRequest*,
                                         pb::Quote*) {
  return NotYet("GetQuote");
}

grpc::Status OrdersServiceImpl::ListQuotes(grpc::ServerContext*,
                                           const pb::ListQuotesRequest*,
                                           pb::ListQuotesResponse*) {
  return NotYet("ListQuotes");
}

grpc::Status OrdersServiceImpl::ApproveQuote(grpc::ServerContext*,
                                             const pb::ApproveQuoteRequest*,
                                             pb::Quote*) {
  return NotYet("ApproveQuote");
}

grpc::Status OrdersServiceImpl::RejectQuote(grpc::ServerContext*,
                                            const pb::RejectQuoteRequest*,
                                            pb::Quote*) {
  return NotYet("RejectQuote");
}

grpc::Status OrdersServiceImpl::RequestInvoice(grpc::ServerContext*,
                                               const pb::RequestInvoiceRequest*,
                                               pb::Invoice*) {
  return NotYet("RequestInvoice");
}

grpc::Status OrdersServiceImpl::IssueInvoice(grpc::ServerContext*,
                                             const pb::IssueInvoiceRequest*,
                                             pb::Invoice*) {
  return NotYet("IssueInvoice");
}

grpc::Status OrdersServiceImpl::VoidInvoice(grpc::ServerContext*,
                                            const pb::VoidInvoiceRequest*,
                                            pb::Invoice*) {
  return NotYet("VoidInvoice");
}

grpc::Status OrdersServiceImpl::ListInvoices(grpc::ServerContext*,
                                             const pb::ListInvoicesRequest*,
                                             pb::ListInvoicesResponse*) {
  return NotYet("ListInvoices");
}

}  // namespace crm::orders
