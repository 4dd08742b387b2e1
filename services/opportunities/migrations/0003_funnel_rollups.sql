-- Rollups behind GetFunnel (ADR 0012): the cohort counts per (pipeline,
-- owner org path, creation day, stage, highest open stage), and the ended
-- stays per (pipeline, org path, month the stay ended, stage, hour bucket). Kept in the same transaction as every opportunity write by
-- store/opportunity_store; backfilled here from existing rows.
CREATE TABLE IF NOT EXISTS funnel_daily (
  pipeline_id BIGINT NOT NULL,
  owner_org_path VARCHAR(255) NOT NULL,
  day DATE NOT NULL,
  stage_pos TINYINT NOT NULL,
  max_open_pos TINYINT NOT NULL,
  n BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  PRIMARY KEY (pipeline_id, owner_org_path, day, stage_pos, max_open_pos),
  KEY ix_funnel_daily_day (pipeline_id, day, owner_org_path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS stay_monthly (
  pipeline_id BIGINT NOT NULL,
  owner_org_path VARCHAR(255) NOT NULL,
  month DATE NOT NULL,  -- the first day of the month
  from_pos TINYINT NOT NULL,
  hours INT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (pipeline_id, owner_org_path, month, from_pos, hours),
  KEY ix_stay_monthly_month (pipeline_id, month, owner_org_path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The partial days / months around the rollups are read by time.
CREATE INDEX IF NOT EXISTS ix_hist_time ON stage_history
  (pipeline_id, ends_stay, at, owner_org_path, from_pos, seconds_in_from);

INSERT IGNORE INTO funnel_daily (pipeline_id, owner_org_path, day, stage_pos,
                                 max_open_pos, n, amount_minor)
SELECT pipeline_id, owner_org_path, DATE(created_at), stage_pos, max_open_pos,
       COUNT(*), SUM(amount_minor)
FROM opportunities
GROUP BY pipeline_id, owner_org_path, DATE(created_at), stage_pos,
         max_open_pos;

-- Hour buckets as domain/funnel StayBucketHours: exact below 48 h, 6 h
-- below 14 days, whole days beyond.
INSERT IGNORE INTO stay_monthly (pipeline_id, owner_org_path, month,
                                 from_pos, hours, n)
SELECT pipeline_id, owner_org_path, DATE_FORMAT(at, '%Y-%m-01'), from_pos,
       CASE WHEN seconds_in_from DIV 3600 < 48 THEN seconds_in_from DIV 3600
            WHEN seconds_in_from DIV 3600 < 336
              THEN seconds_in_from DIV 3600 - (seconds_in_from DIV 3600) % 6
            ELSE seconds_in_from DIV 3600 - (seconds_in_from DIV 3600) % 24
       END AS hours,
       COUNT(*)
FROM stage_history
WHERE ends_stay = 1
GROUP BY pipeline_id, owner_org_path, DATE_FORMAT(at, '%Y-%m-01'),
         from_pos, hours;
