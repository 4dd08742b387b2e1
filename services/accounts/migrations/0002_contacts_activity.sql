-- Follow-ups (the timeline of an account) and geo-checked visits; one
-- primary contact per account. The contacts table itself is from 0001.

-- At most one primary contact per account, whatever the code does: the
-- generated column holds the account id only for the primary, and NULLs do
-- not collide in a UNIQUE index. Code clears the old primary before setting
-- the new one, in one transaction under the account's row lock.
ALTER TABLE contacts
  ADD COLUMN primary_account_id BIGINT AS (IF(is_primary = 1, account_id, NULL)) PERSISTENT,
  ADD UNIQUE KEY uk_contacts_one_primary (primary_account_id);

CREATE TABLE follow_ups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,                      -- 1 call, 2 visit, 3 message, 4 meeting
  content VARCHAR(2000) NOT NULL,
  happened_at DATETIME(6) NOT NULL,           -- may be back-dated by the author
  next_follow_up_at DATETIME(6) NULL,
  visit_id BIGINT NULL,                       -- set when written by a check-in
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_follow_ups_request (create_request_id),
  -- The timeline: newest first, keyset paged on (happened_at, id).
  KEY idx_follow_ups_timeline (account_id, happened_at, id),
  KEY idx_follow_ups_next (author_id, next_follow_up_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE visits (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  lat DOUBLE NOT NULL,
  lng DOUBLE NOT NULL,
  accuracy_m DOUBLE NOT NULL,
  device_id VARCHAR(128) NOT NULL DEFAULT '',
  distance_m DOUBLE NOT NULL,                 -- from the account's location
  suspicious TINYINT NOT NULL DEFAULT 0,
  suspicious_reason VARCHAR(300) NOT NULL DEFAULT '',
  note VARCHAR(2000) NOT NULL DEFAULT '',
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_visits_request (create_request_id),
  -- The user's previous check-in (speed, device change).
  KEY idx_visits_user_time (user_id, at, id),
  -- Exact coordinate repeats of one user.
  KEY idx_visits_user_point (user_id, lat, lng),
  KEY idx_visits_account (account_id, at),
  KEY idx_visits_suspicious (suspicious, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
