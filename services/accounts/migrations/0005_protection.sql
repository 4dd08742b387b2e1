-- What protects a privately owned account from recycling: the owner locked
-- it (capped per rep), it has an open opportunity, or an active contract.

-- A lock holds only while the locker still owns the account
-- (locked_by = owner_id), so a change of owner ends it without touching
-- every statement that moves accounts.
ALTER TABLE accounts
  ADD COLUMN IF NOT EXISTS locked_by BIGINT NULL,
  ADD COLUMN IF NOT EXISTS locked_at DATETIME(6) NULL;

-- Contract end dates come with ContractSigned (field end_date).
ALTER TABLE signed_contracts ADD COLUMN IF NOT EXISTS end_date DATE NULL;
CREATE INDEX IF NOT EXISTS idx_signed_contracts_end ON signed_contracts (account_id, end_date);

-- The state of each opportunity the opportunities service reported
-- (events OpportunityCreated / Won / Lost / Reopened), by opportunity id, so
-- a replayed or reordered event sets a state rather than moving a counter.
CREATE TABLE IF NOT EXISTS account_opportunities (
  opportunity_id BIGINT NOT NULL PRIMARY KEY,
  account_id BIGINT NOT NULL,
  is_open TINYINT NOT NULL,
  opened_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_account_opportunities_account (account_id, is_open, opened_at)
) ENGINE=InnoDB;
