-- The product a ticket is about, by orders' catalogue id (0 = none named);
-- product_sku holds the same product's SKU (ADR 0064). No list filters on
-- it, so no index.
ALTER TABLE tickets
  ADD COLUMN IF NOT EXISTS product_id BIGINT NOT NULL DEFAULT 0 AFTER contract_id;
