-- Custom fields and field permissions (common/customfields, ADR 0075-0077).
-- The same DDL is embedded by every service that owns entities with custom
-- fields, as its migrations/0075_custom_fields.sql.
CREATE TABLE IF NOT EXISTS custom_field_definitions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  entity_type VARCHAR(20) CHARACTER SET ascii NOT NULL,
  field_key VARCHAR(40) CHARACTER SET ascii NOT NULL,
  label VARCHAR(200) NOT NULL,
  field_type TINYINT NOT NULL,
  is_required TINYINT NOT NULL DEFAULT 0,
  is_sensitive TINYINT NOT NULL DEFAULT 0,
  is_active TINYINT NOT NULL DEFAULT 1,
  -- min_length, max_length, min_value, max_value, pattern, options
  rules_json JSON NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_cfd_entity_key (entity_type, field_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per entity that has values: {"key": "text", ...}.
CREATE TABLE IF NOT EXISTS custom_field_values (
  entity_type VARCHAR(20) CHARACTER SET ascii NOT NULL,
  entity_id BIGINT NOT NULL,
  values_json JSON NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The narrow index List filters on select fields use: one row per entity
-- per chosen option.
CREATE TABLE IF NOT EXISTS custom_field_options (
  entity_type VARCHAR(20) CHARACTER SET ascii NOT NULL,
  field_key VARCHAR(40) CHARACTER SET ascii NOT NULL,
  option_value VARCHAR(50) NOT NULL,
  entity_id BIGINT NOT NULL,
  PRIMARY KEY (entity_type, field_key, option_value, entity_id),
  KEY ix_cfo_entity (entity_type, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Field permission rules set by admins; no row = the built-in default.
CREATE TABLE IF NOT EXISTS field_permissions (
  entity_type VARCHAR(20) CHARACTER SET ascii NOT NULL,
  field VARCHAR(60) CHARACTER SET ascii NOT NULL,
  role VARCHAR(32) CHARACTER SET ascii NOT NULL,
  access_level TINYINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (entity_type, field, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
