#include "services/orders/store/catalog_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::orders::catalog_store {
namespace {

constexpr char kSelect[] =
    "SELECT id, sku, name, unit, list_price_minor, active, created_at, "
    "updated_at FROM products ";

ProductRecord FromRow(const db::Row& r) {
  ProductRecord p;
  p.id = r.Int("id");
  p.sku = r.String("sku");
  p.name = r.String("name");
  p.unit = r.String("unit");
  p.list_price_minor = r.Int("list_price_minor");
  p.active = r.Bool("active");
  p.created_at = r.Time("created_at");
  p.updated_at = r.Time("updated_at");
  return p;
}

}  // namespace

absl::StatusOr<ProductRecord> Get(db::Connection& c, int64_t id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat(kSelect, "WHERE id = ?"), {id}));
  if (rows.empty())
    return absl::NotFoundError(absl::StrCat("product ", id, " not found"));
  return FromRow(rows.front());
}

absl::StatusOr<std::optional<ProductRecord>> FindBySku(db::Connection& c,
                                                       const std::string& sku) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat(kSelect, "WHERE sku = ?"), {sku}));
  if (rows.empty()) return std::nullopt;
  return FromRow(rows.front());
}

absl::StatusOr<int64_t> Insert(db::Connection& c, const ProductRecord& p,
                               absl::Time now) {
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO products (sku, name, unit, "
             "list_price_minor, active, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)",
             {p.sku, p.name, p.unit, p.list_price_minor, p.active, now, now})
          .status());
  return c.LastInsertId();
}

absl::Status Update(db::Connection& c, const ProductRecord& p, absl::Time now) {
  return c
      .Exec(
          "UPDATE products SET name = ?, unit = ?, list_price_minor = ?, "
          "active = ?, updated_at = ? WHERE id = ?",
          {p.name, p.unit, p.list_price_minor, p.active, now, p.id})
      .status();
}

absl::StatusOr<std::vector<ProductRecord>> List(db::Connection& c,
                                                int64_t after_id, int limit,
                                                bool active_only) {
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat(kSelect,
                           "WHERE id > ? AND active >= ? ORDER BY id "
                           "LIMIT ?"),
              {after_id, active_only ? 1 : 0, limit}));
  std::vector<ProductRecord> out;
  for (const db::Row& r : rows) out.push_back(FromRow(r));
  return out;
}

absl::Status SetRegionPrice(db::Connection& c, int64_t product_id,
                            const std::string& region, int64_t price_minor,
                            absl::Time now) {
  return c
      .Exec(
          "INSERT INTO region_prices (product_id, region_code, price_minor, "
          "updated_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
          "price_minor = VALUES(price_minor), updated_at = "
          "VALUES(updated_at)",
          {product_id, region, price_minor, now})
      .status();
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> RegionPrices(
    db::Connection& c, int64_t product_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT region_code, price_minor FROM region_prices "
                           "WHERE product_id = ? ORDER BY region_code",
                           {product_id}));
  std::vector<std::pair<std::string, int64_t>> out;
  for (const db::Row& r : rows)
    out.emplace_back(r.String("region_code"), r.Int("price_minor"));
  return out;
}

absl::StatusOr<std::optional<int64_t>> RegionPrice(db::Connection& c,
                                                   int64_t product_id,
                                                   const std::string& region) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT price_minor FROM region_prices WHERE "
                           "product_id = ? AND region_code = ?",
                           {product_id, region}));
  if (rows.empty()) return std::nullopt;
  return rows.front().Int("price_minor");
}

}  // namespace crm::orders::catalog_store
