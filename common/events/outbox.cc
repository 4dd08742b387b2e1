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
  // A per-thread generator seeded once from the OS: std::random_device per
  // id cost four getrandom() calls on every event.
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  return absl::StrCat(absl::Hex(gen(), absl::kZeroPad16),
                      absl::Hex(gen(), absl::kZeroPad16));
}

std::string StreamFor(const std::string& service) {
  return absl::StrCat("events:", service);
}

OutboxEvent MakeOutboxEvent(const std::string& stream, const std::string& type,
                            const std::string& aggregate_id,
                            const nlohmann::json& payload, absl::Time now) {
  return OutboxEvent{NewEventId(), stream,         type,
                     aggregate_id, payload.dump(), now};
}

absl::Status AppendManyToOutbox(db::Connection& conn,
                                const std::vector<OutboxEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  std::string sql =
      "INSERT INTO outbox (event_id, stream, event_type, aggregate_id,"
      " payload, occurred_at) VALUES ";
  std::vector<db::Param> params;
  params.reserve(events.size() * 6);
  for (size_t i = 0; i < events.size(); ++i) {
    const OutboxEvent& e = events[i];
    absl::StrAppend(&sql, i == 0 ? "" : ",", "(?, ?, ?, ?, ?, ?)");
    params.emplace_back(e.event_id);
    params.emplace_back(e.stream);
    params.emplace_back(e.type);
    params.emplace_back(e.aggregate_id);
    params.emplace_back(e.payload_json);
    params.emplace_back(e.occurred_at);
  }
  return conn.Exec(sql, params).status();
}

absl::StatusOr<std::string> AppendToOutbox(db::Connection& conn,
                                           const std::string& stream,
                                           const std::string& type,
                                           const std::string& aggregate_id,
                                           const nlohmann::json& payload,
                                           absl::Time now) {
  OutboxEvent e = MakeOutboxEvent(stream, type, aggregate_id, payload, now);
  RETURN_IF_ERROR(AppendManyToOutbox(conn, {e}));
  return e.event_id;
}

}  // namespace crm::events
