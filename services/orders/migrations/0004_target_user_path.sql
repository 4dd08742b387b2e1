-- User targets remember where the user sat when the target was set (from
-- identity, ADR 0036), so ListTargets shows a manager only the targets of
-- users in their subtree. '' for rows set before this column existed.
ALTER TABLE targets ADD COLUMN IF NOT EXISTS user_org_path VARCHAR(512)
  CHARACTER SET ascii NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS idx_targets_user_path ON targets
  (period, user_org_path);
