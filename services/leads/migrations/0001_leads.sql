-- Leads, their captures and history, channels/campaigns, lead pools,
-- assignment rules and conversion sagas. A lead is in exactly one place:
-- a pool (pool_id set, owner_id NULL) or owned (owner_id set, pool_id NULL).

CREATE TABLE IF NOT EXISTS channels (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  quality INT NOT NULL,
  cost_currency CHAR(3) CHARACTER SET ascii NOT NULL,
  cost_minor BIGINT NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_channels_name (name),
  UNIQUE KEY uk_channels_request (request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS campaigns (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  cost_currency CHAR(3) CHARACTER SET ascii NOT NULL,
  cost_minor BIGINT NOT NULL,
  start_at DATETIME(6) NULL,
  end_at DATETIME(6) NULL,
  request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_campaigns_request (request_id),
  KEY idx_campaigns_channel (channel_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS lead_pools (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  org_unit_id BIGINT NOT NULL DEFAULT 0,
  is_region_default TINYINT NOT NULL DEFAULT 0,
  request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_lead_pools_name (name),
  UNIQUE KEY uk_lead_pools_request (request_id),
  KEY idx_lead_pools_region (region_code, is_region_default)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS leads (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind TINYINT NOT NULL,
  company_name VARCHAR(200) NOT NULL DEFAULT '',
  company_norm VARCHAR(200) NOT NULL DEFAULT '',
  contact_name VARCHAR(100) NOT NULL DEFAULT '',
  phone VARCHAR(20) CHARACTER SET ascii NOT NULL DEFAULT '',
  email VARCHAR(254) NOT NULL DEFAULT '',
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL,
  city VARCHAR(50) NOT NULL DEFAULT '',
  channel_id BIGINT NOT NULL DEFAULT 0,
  campaign_id BIGINT NOT NULL DEFAULT 0,
  notes TEXT NOT NULL,
  custom_json JSON NOT NULL,
  industry VARCHAR(100) NOT NULL DEFAULT '',
  company_size INT NOT NULL DEFAULT 0,
  credit_code VARCHAR(18) CHARACTER SET ascii NOT NULL DEFAULT '',
  status TINYINT NOT NULL,
  invalid_reason VARCHAR(500) NOT NULL DEFAULT '',
  score INT NOT NULL DEFAULT 0,
  score_json JSON NOT NULL,
  owner_id BIGINT NULL,
  owner_org_path VARCHAR(255) CHARACTER SET ascii NOT NULL DEFAULT '',
  pool_id BIGINT NULL,
  existing_customer TINYINT NOT NULL DEFAULT 0,
  account_id BIGINT NOT NULL DEFAULT 0,
  contact_id BIGINT NOT NULL DEFAULT 0,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  capture_count INT NOT NULL DEFAULT 1,
  follow_up_count INT NOT NULL DEFAULT 0,
  reply_count INT NOT NULL DEFAULT 0,
  last_follow_up_at DATETIME(6) NULL,
  assigned_at DATETIME(6) NULL,
  created_by BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT ck_leads_one_place CHECK ((pool_id IS NULL) <> (owner_id IS NULL)),
  KEY idx_leads_status (status, id),
  KEY idx_leads_owner (owner_id, status, id),
  KEY idx_leads_org (owner_org_path, id),
  KEY idx_leads_pool (pool_id, id),
  KEY idx_leads_region_pool (region_code, pool_id, id),
  KEY idx_leads_channel (channel_id, id),
  KEY idx_leads_campaign (campaign_id, id),
  KEY idx_leads_score (score, id),
  KEY idx_leads_recycle (status, assigned_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The de-duplication keys of open leads ("phone:+86...", "company:<norm>").
-- Deleted when a lead is converted or invalidated.
CREATE TABLE IF NOT EXISTS lead_keys (
  dedup_key VARCHAR(700) NOT NULL PRIMARY KEY,
  lead_id BIGINT NOT NULL,
  KEY idx_lead_keys_lead (lead_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every capture (the first one and each merged duplicate): what channel
-- statistics count, and the request_id idempotency of CreateLead.
CREATE TABLE IF NOT EXISTS lead_captures (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  lead_id BIGINT NOT NULL,
  merged TINYINT NOT NULL,
  channel_id BIGINT NOT NULL DEFAULT 0,
  campaign_id BIGINT NOT NULL DEFAULT 0,
  request_id VARCHAR(64) CHARACTER SET ascii NULL,
  captured_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_lead_captures_request (request_id),
  KEY idx_lead_captures_lead (lead_id),
  KEY idx_lead_captures_time (captured_at)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS lead_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  lead_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  from_owner_id BIGINT NOT NULL DEFAULT 0,
  to_owner_id BIGINT NOT NULL DEFAULT 0,
  actor_id BIGINT NOT NULL DEFAULT 0,
  rule_id BIGINT NOT NULL DEFAULT 0,
  detail VARCHAR(500) NOT NULL DEFAULT '',
  at DATETIME(6) NOT NULL,
  KEY idx_lead_history_lead (lead_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS lead_follow_ups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  lead_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  content VARCHAR(2000) NOT NULL,
  replied TINYINT NOT NULL,
  at DATETIME(6) NOT NULL,
  KEY idx_lead_follow_ups_lead (lead_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS assignment_rules (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_unit_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  position INT NOT NULL,
  enabled TINYINT NOT NULL,
  region_codes JSON NOT NULL,
  cities JSON NOT NULL,
  min_score INT NOT NULL,
  max_score INT NOT NULL,
  strategy TINYINT NOT NULL,
  members JSON NOT NULL,  -- [[user_id, org_path], ...] in order
  capacity INT NOT NULL,
  rr_cursor BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  KEY idx_assignment_rules_unit (org_unit_id, position, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ConvertLead saga progress: one row per lead, advanced step by step.
CREATE TABLE IF NOT EXISTS lead_conversions (
  lead_id BIGINT NOT NULL PRIMARY KEY,
  step TINYINT NOT NULL,
  account_id BIGINT NOT NULL DEFAULT 0,
  account_created TINYINT NOT NULL DEFAULT 0,
  contact_id BIGINT NOT NULL DEFAULT 0,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  started_by BIGINT NOT NULL,
  started_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS lead_import_jobs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  requested_by BIGINT NOT NULL,
  request_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  response LONGBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_lead_import_jobs (requested_by, request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
