-- Pipelines (stages as JSON, fixed once created: ADR 0010), loss reasons,
-- opportunities and their stage history.
CREATE TABLE IF NOT EXISTS pipelines (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  customer_type TINYINT NOT NULL,
  deal_kind TINYINT NOT NULL,
  stages_json MEDIUMTEXT NOT NULL,
  allow_backward TINYINT NOT NULL DEFAULT 1,
  stale_days INT NOT NULL DEFAULT 0,
  active TINYINT NOT NULL DEFAULT 1,
  create_request_id VARCHAR(64) NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_pipelines_request (create_request_id),
  KEY ix_pipelines_kind (customer_type, deal_kind, active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS loss_reasons (
  code VARCHAR(32) NOT NULL PRIMARY KEY,
  label VARCHAR(100) NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS opportunities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  account_id BIGINT NOT NULL,
  pipeline_id BIGINT NOT NULL,
  stage_pos TINYINT NOT NULL,
  stage_code VARCHAR(32) NOT NULL,
  sub_stage VARCHAR(50) NOT NULL DEFAULT '',
  status TINYINT NOT NULL,
  probability_bp SMALLINT NOT NULL,
  max_open_pos TINYINT NOT NULL,
  closed_from_pos TINYINT NOT NULL DEFAULT 0,
  owner_id BIGINT NOT NULL,
  owner_org_path VARCHAR(255) NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT '',
  amount_minor BIGINT NOT NULL DEFAULT 0,
  expected_close_date DATE NULL,
  source_lead_id BIGINT NULL,
  products_json TEXT NOT NULL,
  budget_currency CHAR(3) NOT NULL DEFAULT '',
  budget_minor BIGINT NULL,
  decision_maker VARCHAR(100) NOT NULL DEFAULT '',
  description VARCHAR(2000) NOT NULL DEFAULT '',
  contract_ref VARCHAR(64) NULL,
  loss_reason VARCHAR(32) NULL,
  loss_note VARCHAR(500) NULL,
  stage_entered_at DATETIME(6) NOT NULL,
  last_activity_at DATETIME(6) NOT NULL,
  -- The last_activity_at an OpportunityStale alert was raised for: one
  -- alert per stale period.
  stale_alerted_for DATETIME(6) NULL,
  closed_at DATETIME(6) NULL,
  create_request_id VARCHAR(64) NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  UNIQUE KEY uq_opp_request (create_request_id),
  -- List filters (data scope, owner, account, stage, close date, amount).
  KEY ix_opp_owner (owner_id, id),
  KEY ix_opp_org (owner_org_path, id),
  KEY ix_opp_account (account_id, status),
  KEY ix_opp_stage (pipeline_id, stage_code, id),
  KEY ix_opp_stage_code (stage_code, id),
  KEY ix_opp_close (expected_close_date, id),
  KEY ix_opp_amount (amount_minor, id),
  -- Stale check: open opportunities of a pipeline idle since a time.
  KEY ix_opp_stale (pipeline_id, status, last_activity_at),
  -- Funnel (ADR 0012): covering indexes for the cohort of a pipeline
  -- created in a period, by org subtree prefix or by time.
  KEY ix_opp_funnel_org (pipeline_id, owner_org_path, created_at, stage_pos,
                         max_open_pos, amount_minor),
  KEY ix_opp_funnel_time (pipeline_id, created_at, owner_org_path, stage_pos,
                          max_open_pos, amount_minor),
  -- Forecast: open (or won) opportunities by expected close date.
  KEY ix_opp_forecast (status, expected_close_date, owner_org_path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS stage_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  opportunity_id BIGINT NOT NULL,
  pipeline_id BIGINT NOT NULL,
  owner_id BIGINT NOT NULL,
  owner_org_path VARCHAR(255) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  from_pos TINYINT NULL,
  from_stage VARCHAR(32) NOT NULL DEFAULT '',
  from_sub_stage VARCHAR(50) NOT NULL DEFAULT '',
  to_pos TINYINT NOT NULL,
  to_stage VARCHAR(32) NOT NULL,
  to_sub_stage VARCHAR(50) NOT NULL DEFAULT '',
  -- Seconds spent in from_stage when this change ended the stay, else 0.
  seconds_in_from BIGINT NOT NULL DEFAULT 0,
  ends_stay TINYINT NOT NULL DEFAULT 0,
  actor_id BIGINT NOT NULL,
  reason VARCHAR(500) NOT NULL DEFAULT '',
  at DATETIME(6) NOT NULL,
  KEY ix_hist_opp (opportunity_id, id),
  -- Median days in stage: stays that ended in a period, by org subtree.
  KEY ix_hist_funnel (pipeline_id, ends_stay, owner_org_path, at, from_pos,
                      seconds_in_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO loss_reasons (code, label, active, created_at) VALUES
  ('price', '价格原因', 1, UTC_TIMESTAMP(6)),
  ('competitor', '输给竞争对手', 1, UTC_TIMESTAMP(6)),
  ('no_budget', '客户无预算', 1, UTC_TIMESTAMP(6)),
  ('no_decision', '客户无决策/项目取消', 1, UTC_TIMESTAMP(6)),
  ('product_fit', '产品不满足需求', 1, UTC_TIMESTAMP(6)),
  ('other', '其他', 1, UTC_TIMESTAMP(6));
