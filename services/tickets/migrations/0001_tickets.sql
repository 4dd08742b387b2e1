-- Ticket types (the whole TicketType message as JSON: fields, SLA policy,
-- business hours, eligibility switches), support groups with agents, and
-- tickets with their comments and append-only history.

CREATE TABLE IF NOT EXISTS ticket_types (
  type_key VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  config_json TEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS support_groups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  org_path VARCHAR(255) CHARACTER SET ascii NOT NULL,
  last_auto_user_id BIGINT NOT NULL DEFAULT 0,  -- round-robin position
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_support_groups_name (name),
  KEY idx_support_groups_path (org_path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS group_agents (
  group_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  skills_json TEXT NOT NULL,
  active TINYINT NOT NULL DEFAULT 1,
  PRIMARY KEY (group_id, user_id),
  KEY idx_group_agents_user (user_id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS tickets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  request_key VARCHAR(100) CHARACTER SET ascii NULL,
  type_key VARCHAR(32) CHARACTER SET ascii NOT NULL,
  priority TINYINT NOT NULL,
  account_id BIGINT NOT NULL,
  contract_id BIGINT NOT NULL DEFAULT 0,
  product_sku VARCHAR(64) NOT NULL DEFAULT '',
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  channel TINYINT NOT NULL,
  status TINYINT NOT NULL,
  assignee_id BIGINT NULL,
  group_id BIGINT NOT NULL,
  group_org_path VARCHAR(255) CHARACTER SET ascii NOT NULL,
  creator_id BIGINT NOT NULL,
  billable TINYINT NOT NULL DEFAULT 0,
  billable_reason VARCHAR(255) NOT NULL DEFAULT '',
  fields_json TEXT NOT NULL,
  attachments_json TEXT NOT NULL,
  first_response_budget_s BIGINT NOT NULL,
  resolution_budget_s BIGINT NOT NULL,
  paused_s BIGINT NOT NULL DEFAULT 0,       -- business seconds of finished pauses
  paused_since DATETIME(6) NULL,            -- set while waiting on customer
  first_response_at DATETIME(6) NULL,
  resolved_at DATETIME(6) NULL,
  closed_at DATETIME(6) NULL,
  breached TINYINT NOT NULL DEFAULT 0,
  -- escalations already raised: 1 first-response near, 2 first-response
  -- breach, 4 resolution near, 8 resolution breach
  escalated TINYINT NOT NULL DEFAULT 0,
  satisfaction TINYINT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_tickets_request (request_key),
  KEY idx_tickets_status (status, id),
  KEY idx_tickets_group (group_id, status, id),
  KEY idx_tickets_assignee (assignee_id, status, id),
  KEY idx_tickets_account (account_id, id),
  KEY idx_tickets_type (type_key, id),
  KEY idx_tickets_priority (priority, id),
  KEY idx_tickets_breached (breached, id),
  KEY idx_tickets_path (group_org_path, id),
  KEY idx_tickets_creator (creator_id, id),
  KEY idx_tickets_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS ticket_comments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  customer_visible TINYINT NOT NULL,
  attachments_json TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_ticket_comments_ticket (ticket_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS ticket_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  actor_id BIGINT NOT NULL,
  action VARCHAR(32) CHARACTER SET ascii NOT NULL,
  detail VARCHAR(1000) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_ticket_history_ticket (ticket_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
