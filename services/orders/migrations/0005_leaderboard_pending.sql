-- Leaderboard bumps not known to be applied (ADR 0098). A signing or a
-- payment writes its row in its own transaction and deletes it once its
-- Redis bump succeeded; a row left behind (Redis failed, or the process
-- died between the commit and the bump) makes LeaderboardJob rebuild that
-- day's day, week and month boards from MySQL.
CREATE TABLE IF NOT EXISTS leaderboard_pending (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  metric TINYINT NOT NULL,
  day DATE NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_pending_created (created_at)
) ENGINE=InnoDB;
