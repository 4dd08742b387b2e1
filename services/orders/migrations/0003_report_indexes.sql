-- Covering indexes for the dashboard (GetBusinessSummary, GetAchievement):
-- the period scans read only index entries, never the rows.

-- signed totals by period: amount, type and distinct accounts
CREATE INDEX IF NOT EXISTS idx_contracts_signed_cover ON contracts
  (status, signed_at, owner_org_path, owner_id, contract_type, amount_minor,
   account_id);
-- renewals due: contracts ending in the period, by scope
CREATE INDEX IF NOT EXISTS idx_contracts_end_cover ON contracts
  (status, end_date, owner_org_path, owner_id);
-- overdue totals: the due date of installments not fully paid (NULL once
-- paid), so the scan skips everything already settled.
ALTER TABLE installments ADD COLUMN IF NOT EXISTS open_due DATE
  AS (IF(paid_minor < amount_minor, due_date, NULL)) PERSISTENT;
CREATE INDEX IF NOT EXISTS idx_installments_open_due ON installments
  (signed, open_due, owner_org_path, owner_id, amount_minor, paid_minor);
-- the same for one subtree (a team): the path prefix first
CREATE INDEX IF NOT EXISTS idx_installments_scope_open_due ON installments
  (owner_org_path, signed, open_due, owner_id, amount_minor, paid_minor);
