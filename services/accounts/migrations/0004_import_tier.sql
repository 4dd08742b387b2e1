-- Import jobs (request_id idempotency of ImportAccounts), signed contracts
-- (from the orders service's ContractSigned events) and the tier settings.

-- One row per finished import with a request_id: a retry with the same
-- request_id (by the same caller) gets this stored summary back.
CREATE TABLE import_jobs (
  requested_by BIGINT NOT NULL,
  request_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  pool_id BIGINT NOT NULL,
  created_count BIGINT NOT NULL,
  duplicate_count BIGINT NOT NULL,
  invalid_count BIGINT NOT NULL,
  -- base64 of the serialized crm.accounts.v1.ImportAccountsResponse
  response MEDIUMTEXT CHARACTER SET ascii NOT NULL,
  finished_at DATETIME(6) NOT NULL,
  PRIMARY KEY (requested_by, request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every signed contract an account has, keyed by the orders service's
-- contract id: the tier window sum is exact, and a replayed event inserts
-- nothing new.
CREATE TABLE signed_contracts (
  contract_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  account_id BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) CHARACTER SET ascii NOT NULL,
  signed_at DATETIME(6) NOT NULL,
  event_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  KEY idx_signed_contracts_account (account_id, signed_at)
) ENGINE=InnoDB;

-- Tier A/B/C thresholds over a window of days (one row, id = 1). Amounts
-- in minor units (fen) of `currency`; contracts in other currencies are
-- recorded but not counted.
CREATE TABLE tier_settings (
  id TINYINT NOT NULL PRIMARY KEY,
  window_days INT NOT NULL,
  tier_a_min_minor BIGINT NOT NULL,
  tier_b_min_minor BIGINT NOT NULL,
  currency CHAR(3) CHARACTER SET ascii NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

INSERT INTO tier_settings (id, window_days, tier_a_min_minor, tier_b_min_minor, currency, updated_at)
VALUES (1, 365, 100000000, 10000000, 'CNY', UTC_TIMESTAMP(6));
