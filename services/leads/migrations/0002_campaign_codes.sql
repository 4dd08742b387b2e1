-- A campaign's public code (the key a landing page form sends, e.g.
-- "spring-expo-2026") and the region its leads land in when the form does
-- not say.
ALTER TABLE campaigns
  ADD COLUMN IF NOT EXISTS code VARCHAR(64) CHARACTER SET ascii NULL,
  ADD COLUMN IF NOT EXISTS region_code VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS uk_campaigns_code ON campaigns (code);
