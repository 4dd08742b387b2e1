// SQL for the product catalogue and regional price lists.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/connection.h"
#include "services/orders/store/records.h"

namespace crm::orders::catalog_store {

// NOT_FOUND "product <id> not found".
absl::StatusOr<ProductRecord> Get(db::Connection& c, int64_t id);
absl::StatusOr<std::optional<ProductRecord>> FindBySku(db::Connection& c,
                                                       const std::string& sku);
// ALREADY_EXISTS from the unique SKU.
absl::StatusOr<int64_t> Insert(db::Connection& c, const ProductRecord& p,
                               absl::Time now);
absl::Status Update(db::Connection& c, const ProductRecord& p, absl::Time now);
absl::StatusOr<std::vector<ProductRecord>> List(db::Connection& c,
                                                int64_t after_id, int limit,
                                                bool active_only);
absl::Status SetRegionPrice(db::Connection& c, int64_t product_id,
                            const std::string& region, int64_t price_minor,
                            absl::Time now);
// (region, price) pairs of one product.
absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> RegionPrices(
    db::Connection& c, int64_t product_id);
absl::StatusOr<std::optional<int64_t>> RegionPrice(db::Connection& c,
                                                   int64_t product_id,
                                                   const std::string& region);

}  // namespace crm::orders::catalog_store
