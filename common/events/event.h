// The event envelope as it travels on a Redis Stream, and its pure
// encoding to and from stream fields.
//
// One stream entry carries exactly one event with these fields (extra fields
// are ignored, so a newer producer may add some):
//   event_id      32 lowercase hex digits, unique per event (NewEventId())
//   type          e.g. "UserDeactivated"
//   aggregate_id  e.g. the user id (may be empty)
//   payload       the event body, a JSON document
//   occurred_at   RFC 3339 in UTC with microseconds:
//   2026-11-25T16:40:00.123456Z
//
// An entry that breaks these rules (a field missing, repeated or invalid) is
// a "poison" entry: no retry can ever make it valid. DecodeEvent reports it
// as INVALID_ARGUMENT naming the field; the consumer parks such entries in a
// dead-letter stream and acknowledges them (see consumer.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/events/outbox.h"
#include "common/redis/streams.h"

namespace crm::events {

// Stream field names.
inline constexpr std::string_view kFieldEventId = "event_id";
inline constexpr std::string_view kFieldType = "type";
inline constexpr std::string_view kFieldAggregateId = "aggregate_id";
inline constexpr std::string_view kFieldPayload = "payload";
inline constexpr std::string_view kFieldOccurredAt = "occurred_at";

// Limits matching the outbox and processed_events columns.
inline constexpr size_t kMaxTypeLength = 128;
inline constexpr size_t kMaxAggregateIdLength = 64;

// A decoded event as a consumer's handler sees it.
struct Event {
  std::string event_id;
  std::string type;
  std::string aggregate_id;
  nlohmann::json payload;
  absl::Time occurred_at;
  // Where the consumer read it: the stream name (before the Redis key prefix)
  // and the entry id. Not part of the encoding; empty after DecodeEvent.
  std::string stream;
  std::string entry_id;
};

// "2026-11-25T16:40:00.123456Z" (always UTC, always 6 fraction digits).
std::string FormatOccurredAt(absl::Time t);
// Any RFC 3339 date-time (offset "Z" or "+hh:mm"); false on bad input.
bool ParseOccurredAt(std::string_view text, absl::Time* out);

// True for exactly the ids NewEventId() produces: 32 lowercase hex digits.
bool IsEventId(std::string_view id);

// The stream fields for an outbox row; the payload text is sent as stored.
redis::StreamFields EncodeEvent(const OutboxEvent& event);
// The stream fields for an event (payload serialised with dump()).
redis::StreamFields EncodeEvent(const Event& event);

// Validates and decodes one entry's fields. INVALID_ARGUMENT "<field>:
// <rule>" for a poison entry.
absl::StatusOr<Event> DecodeEvent(const redis::StreamFields& fields);

}  // namespace crm::events
