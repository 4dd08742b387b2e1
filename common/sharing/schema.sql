-- Record sharing (issue 10, ADR 0080). ONE file, linked into the migrations/
-- directory of every service that owns shareable records (accounts,
-- opportunities) as 0080_record_share.sql, a symlink, not a copy.
--
-- record_share: one row per (record, grantee); revoking clears `active`
-- and a later share turns the same row back on. `access`: 1 READ, 2 EDIT.
CREATE TABLE IF NOT EXISTS record_share (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity_type VARCHAR(32) CHARACTER SET ascii NOT NULL,
  entity_id BIGINT NOT NULL,
  grantee_id BIGINT NOT NULL,
  access TINYINT NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  granted_by BIGINT NOT NULL,
  granted_at DATETIME(6) NOT NULL,
  revoked_by BIGINT NOT NULL DEFAULT 0,
  revoked_at DATETIME(6) NULL,
  -- Get/Update's share check and ListShares.
  UNIQUE KEY uk_record_share (entity_type, entity_id, grantee_id),
  -- ListSharedWithMe: the grantee's active shares of one type, keyset on
  -- entity_id.
  KEY idx_record_share_grantee (grantee_id, entity_type, active, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Idempotency of ShareRecord / RevokeShare: what the first call with a
-- request_id did, so a retry returns that result.
CREATE TABLE IF NOT EXISTS record_share_request (
  request_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  action VARCHAR(16) CHARACTER SET ascii NOT NULL,
  share_id BIGINT NOT NULL,
  entity_type VARCHAR(32) CHARACTER SET ascii NOT NULL,
  entity_id BIGINT NOT NULL,
  grantee_id BIGINT NOT NULL,
  access TINYINT NOT NULL,
  active TINYINT(1) NOT NULL,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
