-- Org tree with materialized paths, users with their unit's path copied for
-- indexed subtree queries, roles, and refresh tokens.

CREATE TABLE org_units (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parent_id BIGINT NOT NULL DEFAULT 0,          -- 0: the company root
  name VARCHAR(100) NOT NULL,
  kind TINYINT NOT NULL,
  path VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '',  -- "/1/4/9/"
  depth INT NOT NULL DEFAULT 0,
  region_code VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '',
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_org_units_parent_name (parent_id, name),
  KEY idx_org_units_path (path),
  UNIQUE KEY uk_org_units_request (create_request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) CHARACTER SET ascii NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  email VARCHAR(254) NOT NULL DEFAULT '',
  phone VARCHAR(32) NOT NULL DEFAULT '',
  org_unit_id BIGINT NOT NULL,
  org_path VARCHAR(512) CHARACTER SET ascii NOT NULL,
  status TINYINT NOT NULL,                       -- 1 active, 2 inactive
  password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
  failed_logins INT NOT NULL DEFAULT 0,
  locked_until DATETIME(6) NULL,
  create_request_id VARCHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_users_username (username),
  UNIQUE KEY uk_users_request (create_request_id),
  KEY idx_users_org_path (org_path, id),
  KEY idx_users_status_path (status, org_path, id),
  KEY idx_users_unit (org_unit_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
  user_id BIGINT NOT NULL,
  role VARCHAR(32) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (user_id, role),
  KEY idx_user_roles_role (role, user_id)
) ENGINE=InnoDB;

-- Only a SHA-256 of each refresh token is stored. Rotation marks the old
-- token used; presenting a used token again revokes its whole family.
CREATE TABLE refresh_tokens (
  token_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  family_id CHAR(32) CHARACTER SET ascii NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_refresh_user (user_id),
  KEY idx_refresh_family (family_id),
  KEY idx_refresh_expires (expires_at)
) ENGINE=InnoDB;
