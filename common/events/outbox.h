// The transactional outbox: a service records an event in its own schema in
// the same transaction as the change that caused it, so an event exists if
// and only if the change committed. The relay (relay.h) later publishes
// outbox rows to the Redis Stream "crm:events:<service>".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "common/db/pool.h"

namespace crm::events {

// Creates the outbox and processed_events tables if missing. Every service
// that emits or consumes events calls it at start-up, after its migrations.
absl::Status EnsureEventTables(db::ConnectionPool& pool);

struct OutboxEvent {
  std::string event_id;  // UUID-like, unique per event
  std::string stream;    // e.g. "events:identity" (before the Redis key prefix)
  std::string type;      // e.g. "UserDeactivated"
  std::string aggregate_id;  // e.g. the user id
  std::string payload_json;  // the event body
  absl::Time occurred_at;
};

// A random 32-hex-digit event id.
std::string NewEventId();

// The stream a service publishes to: "events:<service>"; with the default
// Redis key prefix "crm:" the key is "crm:events:<service>".
std::string StreamFor(const std::string& service);

// Inserts an outbox row on `conn`, which must be inside the transaction of
// the change. Returns the event id.
absl::StatusOr<std::string> AppendToOutbox(db::Connection& conn,
                                           const std::string& stream,
                                           const std::string& type,
                                           const std::string& aggregate_id,
                                           const nlohmann::json& payload,
                                           absl::Time now);

// An outbox row with a new event id, for AppendManyToOutbox.
OutboxEvent MakeOutboxEvent(const std::string& stream, const std::string& type,
                            const std::string& aggregate_id,
                            const nlohmann::json& payload, absl::Time now);

// Inserts all `events` with one multi-row INSERT on `conn` (inside the
// transaction of the changes): batch writes pay one round trip, not one
// per event. No-op when empty.
absl::Status AppendManyToOutbox(db::Connection& conn,
                                const std::vector<OutboxEvent>& events);

}  // namespace crm::events
