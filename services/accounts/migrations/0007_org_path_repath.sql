-- Re-pathing after org moves (OrgUnitMoved): every stored org path under a
-- moved unit's old prefix is rewritten with one prefix-range UPDATE per
-- table; these indexes keep that a range scan instead of a full scan.
-- (accounts.owner_org_path has idx_accounts_org_path already.)
CREATE INDEX IF NOT EXISTS idx_tasks_org_path ON tasks (assignee_org_path);
CREATE INDEX IF NOT EXISTS idx_visits_org_path ON visits (user_org_path);
