-- Managers review suspicious check-ins (seed 004: 拜访签到 anti-cheating).
-- user_org_path: where the rep sat when checking in, so a manager's list is
-- an indexed prefix range of their subtree. review: 0 pending, 1 genuine,
-- 2 fraud.
ALTER TABLE visits
  ADD COLUMN IF NOT EXISTS user_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS review TINYINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS reviewed_by BIGINT NULL,
  ADD COLUMN IF NOT EXISTS reviewed_at DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS review_note VARCHAR(500) NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS idx_visits_review
  ON visits (suspicious, review, user_org_path, id);
