-- Accounts (customers), contacts, pools and the append-only pool history.
-- Every account is in exactly one place: a public pool (pool_id set,
-- owner_id NULL) or a rep's private pool (owner_id set, pool_id NULL); the
-- CHECK keeps it that way whatever the code does.

CREATE TABLE pools (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  is_region_default TINYINT NOT NULL DEFAULT 0,
  daily_claim_limit INT NOT NULL,
  former_owner_cooldown_days INT NOT NULL,
  private_capacity INT NOT NULL,
  capacity_counts_signed TINYINT NOT NULL,
  locked_capacity INT NOT NULL,
  recycle_rules JSON NOT NULL,
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_pools_name (name),
  UNIQUE KEY uk_pools_request (create_request_id),
  KEY idx_pools_region (region_code, is_region_default)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE pool_members (
  pool_id BIGINT NOT NULL,
  org_unit_id BIGINT NOT NULL,
  PRIMARY KEY (pool_id, org_unit_id)
) ENGINE=InnoDB;

CREATE TABLE pool_admins (
  pool_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (pool_id, user_id)
) ENGINE=InnoDB;

CREATE TABLE accounts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind TINYINT NOT NULL,                      -- 1 company, 2 person
  name VARCHAR(200) NOT NULL,
  name_norm VARCHAR(200) NOT NULL,            -- for similarity search
  credit_code CHAR(18) CHARACTER SET ascii NULL,
  phone VARCHAR(20) CHARACTER SET ascii NULL, -- E.164
  person_phone VARCHAR(20) CHARACTER SET ascii
    AS (IF(kind = 2, phone, NULL)) PERSISTENT,
  id_number VARCHAR(32) CHARACTER SET ascii NULL,
  industry VARCHAR(100) NOT NULL DEFAULT '',
  address VARCHAR(300) NOT NULL DEFAULT '',
  lat DOUBLE NULL,
  lng DOUBLE NULL,
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  type TINYINT NOT NULL,                      -- 1 SMB, 2 KA
  status TINYINT NOT NULL,                    -- 1 new, 2 following, 3 signed, 4 churned
  tier TINYINT NOT NULL DEFAULT 3,            -- 1 A, 2 B, 3 C
  signed_amount_minor BIGINT NOT NULL DEFAULT 0,
  first_signed_at DATETIME(6) NULL,
  pool_id BIGINT NULL,
  owner_id BIGINT NULL,
  owner_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',
  owned_since DATETIME(6) NULL,
  last_follow_up_at DATETIME(6) NULL,
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT chk_accounts_one_place CHECK ((pool_id IS NULL) <> (owner_id IS NULL)),
  UNIQUE KEY uk_accounts_credit_code (credit_code),
  UNIQUE KEY uk_accounts_person_phone (person_phone),
  UNIQUE KEY uk_accounts_request (create_request_id),
  KEY idx_accounts_owner (owner_id, id),
  KEY idx_accounts_org_path (owner_org_path, id),
  KEY idx_accounts_pool (pool_id, id),
  KEY idx_accounts_tier (tier, id),
  KEY idx_accounts_type (type, id),
  KEY idx_accounts_status (status, id),
  KEY idx_accounts_region (region_code, id),
  KEY idx_accounts_follow_up (last_follow_up_at),
  KEY idx_accounts_name (name(32)),
  KEY idx_accounts_phone (phone),
  KEY idx_accounts_geo (lat, lng)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE contacts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  title VARCHAR(100) NOT NULL DEFAULT '',
  phone VARCHAR(20) CHARACTER SET ascii NOT NULL DEFAULT '',
  email VARCHAR(254) NOT NULL DEFAULT '',
  is_primary TINYINT NOT NULL DEFAULT 0,
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_contacts_request (create_request_id),
  KEY idx_contacts_account (account_id, is_primary),
  KEY idx_contacts_phone (phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: who moved which account from where to where, and why.
CREATE TABLE pool_moves (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  from_owner_id BIGINT NULL,
  from_pool_id BIGINT NULL,
  to_owner_id BIGINT NULL,
  to_pool_id BIGINT NULL,
  actor_id BIGINT NOT NULL,
  reason VARCHAR(300) NOT NULL DEFAULT '',
  request_id VARCHAR(64) CHARACTER SET ascii NULL,
  at DATETIME(6) NOT NULL,
  KEY idx_moves_account (account_id, id),
  KEY idx_moves_to_owner (to_owner_id, kind, at),
  KEY idx_moves_from_owner (from_owner_id, kind, at),
  UNIQUE KEY uk_moves_request (request_id)
) ENGINE=InnoDB;

-- One row per rep: claims serialize on it (capacity and the daily limit
-- are checked under its row lock, so one rep's parallel claims cannot
-- overshoot).
CREATE TABLE rep_claim_counters (
  user_id BIGINT NOT NULL PRIMARY KEY,
  day DATE NOT NULL,
  claims INT NOT NULL
) ENGINE=InnoDB;

-- Character bigrams of each account's normalized name: similar-name search
-- is an indexed lookup of the draft's bigrams, not a scan.
CREATE TABLE account_name_grams (
  gram VARCHAR(16) NOT NULL,
  account_id BIGINT NOT NULL,
  PRIMARY KEY (gram, account_id),
  KEY idx_grams_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
