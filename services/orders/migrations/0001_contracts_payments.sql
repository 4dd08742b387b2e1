-- Contracts with payment plans, the approval chains and history, payments
-- with their allocations to installments, targets, invoices.

CREATE TABLE IF NOT EXISTS contracts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  request_id VARCHAR(80) CHARACTER SET ascii NULL,  -- "<creator>:<request_id>"
  account_id BIGINT NOT NULL,
  customer_type TINYINT NOT NULL,           -- 1 SMB, 2 KA
  owner_id BIGINT NOT NULL,
  owner_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL,
  title VARCHAR(200) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) CHARACTER SET ascii NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  contract_type TINYINT NOT NULL,           -- 1 new, 2 renewal
  predecessor_contract_id BIGINT NOT NULL DEFAULT 0,
  opportunity_id BIGINT NOT NULL DEFAULT 0,
  quote_id BIGINT NOT NULL DEFAULT 0,
  status TINYINT NOT NULL,                  -- ContractStatus
  approval_steps VARCHAR(300) CHARACTER SET ascii NOT NULL DEFAULT '',
  current_step INT NOT NULL DEFAULT 0,
  approval_round INT NOT NULL DEFAULT 0,
  signed_at DATETIME(6) NULL,
  received_minor BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_contracts_request (request_id),
  KEY idx_contracts_scope (owner_org_path, id),
  KEY idx_contracts_owner (owner_id, id),
  KEY idx_contracts_account (account_id, status),
  KEY idx_contracts_predecessor (predecessor_contract_id),
  -- signed totals per period (dashboard, achievement, rebuild)
  KEY idx_contracts_signed (status, signed_at, owner_org_path, amount_minor),
  KEY idx_contracts_scope_signed (owner_org_path, status, signed_at),
  -- renewal list / renewals due
  KEY idx_contracts_end (status, end_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS installments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contract_id BIGINT NOT NULL,
  seq INT NOT NULL,                         -- 0-based position in the plan
  due_date DATE NOT NULL,
  amount_minor BIGINT NOT NULL,
  paid_minor BIGINT NOT NULL DEFAULT 0,
  -- 1 when RunOverdueCheck flagged it (once); cleared when fully paid.
  overdue TINYINT NOT NULL DEFAULT 0,
  overdue_since DATE NULL,
  -- copied from the contract on signing, for the collection list
  owner_id BIGINT NOT NULL DEFAULT 0,
  owner_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',
  signed TINYINT NOT NULL DEFAULT 0,
  UNIQUE KEY uk_installments_seq (contract_id, seq),
  -- overdue detection: signed, not flagged, due before as_of
  KEY idx_installments_due (signed, overdue, due_date),
  -- pending collections by scope
  KEY idx_installments_overdue_scope (overdue, owner_org_path, id),
  KEY idx_installments_overdue_owner (overdue, owner_id, id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS approval_chains (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_type TINYINT NOT NULL,           -- 0 any
  min_amount_minor BIGINT NOT NULL,
  steps VARCHAR(300) CHARACTER SET ascii NOT NULL
) ENGINE=InnoDB;

-- Marks that approval_chains was configured (an empty table then is not
-- "use the defaults").
CREATE TABLE IF NOT EXISTS approval_config (
  name VARCHAR(32) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS approval_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contract_id BIGINT NOT NULL,
  round INT NOT NULL,
  step INT NOT NULL,
  role VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
  action TINYINT NOT NULL,                  -- ApprovalAction
  actor_id BIGINT NOT NULL,
  comment VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  KEY idx_approval_history_contract (contract_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS payments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contract_id BIGINT NOT NULL,
  reference VARCHAR(100) NOT NULL,
  amount_minor BIGINT NOT NULL,             -- negative = refund
  received_date DATE NOT NULL,
  method VARCHAR(40) NOT NULL DEFAULT '',
  reason VARCHAR(300) NOT NULL DEFAULT '',
  owner_id BIGINT NOT NULL,                 -- the contract's, for scope
  owner_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL,
  recorded_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_payments_reference (reference),
  KEY idx_payments_contract (contract_id, id),
  -- received totals per period (dashboard, achievement, rebuild)
  KEY idx_payments_date (received_date, owner_org_path, owner_id, amount_minor),
  KEY idx_payments_scope_date (owner_org_path, received_date, amount_minor)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS payment_allocations (
  payment_id BIGINT NOT NULL,
  installment_id BIGINT NOT NULL,
  seq INT NOT NULL,
  amount_minor BIGINT NOT NULL,
  PRIMARY KEY (payment_id, installment_id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS targets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL DEFAULT 0,
  org_path VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',
  period VARCHAR(10) CHARACTER SET ascii NOT NULL,
  metric TINYINT NOT NULL,
  value BIGINT NOT NULL,
  set_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_targets_subject (user_id, org_path, period, metric),
  KEY idx_targets_period (period, org_path)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS invoices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contract_id BIGINT NOT NULL,
  request_id VARCHAR(80) CHARACTER SET ascii NULL,
  amount_minor BIGINT NOT NULL,
  status TINYINT NOT NULL,                  -- InvoiceStatus
  invoice_number VARCHAR(64) NOT NULL DEFAULT '',
  void_reason VARCHAR(300) NOT NULL DEFAULT '',
  requested_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_invoices_request (request_id),
  KEY idx_invoices_contract (contract_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
