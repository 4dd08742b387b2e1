-- The message center (issue 10, ADR 0073): one inbox per user, fed by the
-- suite's event streams (consumer group "inbox") and by the accounts
-- service's own writes. dedupe_key makes every feed idempotent on replay.
CREATE TABLE IF NOT EXISTS inbox_messages (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  title VARCHAR(255) NOT NULL,
  body VARCHAR(1024) NOT NULL DEFAULT '',
  entity_type VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
  entity_id VARCHAR(64) NOT NULL DEFAULT '',
  dedupe_key VARCHAR(160) CHARACTER SET ascii NOT NULL,
  source_event_id VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  read_at DATETIME(6) NULL,
  UNIQUE KEY uk_inbox_dedupe (user_id, dedupe_key),
  KEY idx_inbox_user (user_id, id),
  KEY idx_inbox_user_unread (user_id, read_at, id),
  KEY idx_inbox_user_kind (user_id, kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
