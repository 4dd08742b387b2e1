-- The audit log (issue 10, ADR 0070). ONE file, linked into every service's
-- migrations/ directory as 0900_audit_log.sql (a symlink, not a copy), so
-- each service schema gets the same table. Append-only: no code path
-- updates or deletes a row, and the triggers below refuse it at the
-- database too (TRUNCATE/DROP need DDL rights the service user should not
-- have in production, see ADR 0071).
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity_type VARCHAR(32) CHARACTER SET ascii NOT NULL,
  entity_id VARCHAR(64) NOT NULL,
  action VARCHAR(32) CHARACTER SET ascii NOT NULL,
  actor_id BIGINT NOT NULL DEFAULT 0,
  actor_service VARCHAR(64) NOT NULL DEFAULT '',
  request_id VARCHAR(128) NOT NULL DEFAULT '',
  at DATETIME(6) NOT NULL,
  owner_id BIGINT NOT NULL DEFAULT 0,
  owner_org_path VARCHAR(255) CHARACTER SET ascii NOT NULL DEFAULT '',
  changes MEDIUMTEXT NOT NULL,
  note VARCHAR(512) NOT NULL DEFAULT '',
  KEY idx_audit_entity (entity_type, entity_id, id),
  KEY idx_audit_actor (actor_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';

CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
