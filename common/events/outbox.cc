#include "common/events/outbox.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::events {

absl::Status EnsureEventTables(db::ConnectionPool& pool) {
  ASSIGN_OR_RETURN(db::PooledConnection conn, pool.Borrow());
  RETURN_IF_ERROR(conn->ExecRaw(
      "CREATE TABLE IF NOT EXISTS outbox ("
      " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
      " event_id CHAR(32) CHARACTER SET ascii NOT NULL,"
      " stream VARCHAR(128) CHARACTER SET ascii NOT NULL,"
      " event_type VARCHAR(128) CHARACTER SET ascii NOT NULL,"
      " aggregate_id VARCHAR(64) NOT NULL,"
      " payload MEDIUMTEXT NOT NULL,"
      " occurred_at DATETIME(6) NOT NULL,"
      " published_at DATETIME(6) NULL,"
      " UNIQUE KEY uk_outbox_event (event_id),"
      " KEY idx_outbox_unpublished (published_at, id)"
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"));
  // Consumers remember what they handled so a redelivered event is skipped.
  return conn->ExecRaw(
      "CREATE TABLE IF NOT EXISTS processed_events ("
      " consumer VARCHAR(128) CHARACTER SET ascii NOT NULL,"
      " event_id CHAR(32) CHARACTER SET ascii NOT NULL,"
      " processed_at DATETIME(6) NOT NULL,"
      " PRIMARY KEY (consumer, event_id)"
      ") ENGINE=InnoDB");
}

std::string NewEventId() {
  std::random_device rd;
  auto part = [&rd] { return (static_cast<uint64_t>(rd()) << 32) | rd(); };
  return absl::StrCat(absl::Hex(part(), absl::kZeroPad16),
                      absl::Hex(part(), absl::kZeroPad16));
}

std::string StreamFor(const std::string& service) {
  return absl::StrCat("events:", service);
}

absl::StatusOr<std::string> AppendToOutbox(db::Connection& conn,
                                           const std::string& stream,
                                           const std::string& type,
                                           const std::string& aggregate_id,
                                           const nlohmann::json& payload,
                                           absl::Time now) {
  std::string id = NewEventId();
  RETURN_IF_ERROR(
      conn.Exec(
              "INSERT INTO outbox (event_id, stream, event_type, aggregate_id,"
              " payload, occurred_at) VALUES (?, ?, ?, ?, ?, ?)",
              {id, stream, type, aggregate_id, payload.dump(), now})
          .status());
  return id;
}

}  // namespace crm::events
