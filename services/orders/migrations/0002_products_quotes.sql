-- The product catalogue, regional price lists and quotes.

CREATE TABLE IF NOT EXISTS products (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(40) CHARACTER SET ascii NOT NULL,
  name VARCHAR(200) NOT NULL,
  unit VARCHAR(40) NOT NULL,
  list_price_minor BIGINT NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_products_sku (sku),
  KEY idx_products_active (active, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS region_prices (
  product_id BIGINT NOT NULL,
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  price_minor BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (product_id, region_code)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS quotes (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  request_id VARCHAR(80) CHARACTER SET ascii NULL,
  account_id BIGINT NOT NULL,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  owner_id BIGINT NOT NULL,
  owner_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL,
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
  list_total_minor BIGINT NOT NULL,
  total_minor BIGINT NOT NULL,
  max_discount_bp INT NOT NULL,
  status TINYINT NOT NULL,                  -- QuoteStatus
  decided_by BIGINT NOT NULL DEFAULT 0,
  decision_comment VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_quotes_request (request_id),
  KEY idx_quotes_scope (owner_org_path, id),
  KEY idx_quotes_owner (owner_id, id),
  KEY idx_quotes_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS quote_lines (
  quote_id BIGINT NOT NULL,
  seq INT NOT NULL,
  product_id BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  discount_bp INT NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  net_minor BIGINT NOT NULL,
  PRIMARY KEY (quote_id, seq)
) ENGINE=InnoDB;
