-- Task center (manual, dispatched and system tasks) and what automatic
-- recycling and the anti-collusion report need.

-- One row per task. `dedupe_key` makes every retried or repeated creation
-- land on the row created first:
--   manual           "req:<creator>:<request_id>"            (only with a request id)
--   dispatch         "dispatch:<creator>:<request_id>:<account_id>"
--   recycle_warning  "recycle_warning:<account>:<owner>:<owned_since us>"
--   churn_risk       "churn_risk:<account>:<owner>:<last follow-up us>"
CREATE TABLE tasks (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  assignee_id BIGINT NOT NULL,
  assignee_org_path VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',
  title VARCHAR(200) NOT NULL,
  account_id BIGINT NULL,
  due_at DATETIME(6) NOT NULL,
  status TINYINT NOT NULL,                  -- 1 open, 2 done, 3 cancelled
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  created_by BIGINT NOT NULL,               -- 0 = the system
  dedupe_key VARCHAR(160) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  completed_at DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_tasks_dedupe (dedupe_key),
  -- ListMyTasks: one assignee, open first, by due time (keyset on id).
  KEY idx_tasks_mine (assignee_id, status, due_at, id),
  KEY idx_tasks_account (account_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Where a recycle run stopped: a run interrupted by a crash resumes after
-- the last committed batch when it is started again with the same as_of.
CREATE TABLE recycle_runs (
  name VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  as_of DATETIME(6) NOT NULL,
  last_account_id BIGINT NOT NULL,
  finished TINYINT NOT NULL,
  recycled BIGINT NOT NULL,
  warned BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

-- Anti-collusion: releases in a time range (kind, at) and, per account,
-- the claims that followed them (account_id, kind, at).
ALTER TABLE pool_moves
  ADD KEY idx_moves_kind_at (kind, at),
  ADD KEY idx_moves_account_kind_at (account_id, kind, at);
