#include "common/events/event.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/status.h"

namespace crm::events {
namespace {

constexpr char kOccurredAtFormat[] = "%Y-%m-%dT%H:%M:%E6SZ";

redis::StreamFields Encode(const std::string& event_id, const std::string& type,
                           const std::string& aggregate_id,
                           std::string payload_json, absl::Time occurred_at) {
  return {
      {std::string(kFieldEventId), event_id},
      {std::string(kFieldType), type},
      {std::string(kFieldAggregateId), aggregate_id},
      {std::string(kFieldPayload), std::move(payload_json)},
      {std::string(kFieldOccurredAt), FormatOccurredAt(occurred_at)},
  };
}

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c > ' ' && c < 0x7f;  // no spaces or control characters
  });
}

}  // namespace

std::string FormatOccurredAt(absl::Time t) {
  return absl::FormatTime(kOccurredAtFormat, t, absl::UTCTimeZone());
}

bool ParseOccurredAt(std::string_view text, absl::Time* out) {
  std::string err;
  return absl::ParseTime(absl::RFC3339_full,
                         absl::string_view(text.data(), text.size()), out,
                         &err);
}

bool IsEventId(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

redis::StreamFields EncodeEvent(const OutboxEvent& event) {
  return Encode(event.event_id, event.type, event.aggregate_id,
                event.payload_json, event.occurred_at);
}

redis::StreamFields EncodeEvent(const Event& event) {
  return Encode(event.event_id, event.type, event.aggregate_id,
                event.payload.dump(), event.occurred_at);
}

absl::StatusOr<Event> DecodeEvent(const redis::StreamFields& fields) {
  std::optional<std::string> event_id, type, aggregate_id, payload, occurred_at;
  for (const auto& [name, value] : fields) {
    std::optional<std::string>* slot = nullptr;
    if (name == kFieldEventId) {
      slot = &event_id;
    } else if (name == kFieldType) {
      slot = &type;
    } else if (name == kFieldAggregateId) {
      slot = &aggregate_id;
    } else if (name == kFieldPayload) {
      slot = &payload;
    } else if (name == kFieldOccurredAt) {
      slot = &occurred_at;
    } else {
      continue;  // unknown fields are allowed (forward compatible)
    }
    // A repeated field is ambiguous: which one did the producer mean?
    if (slot->has_value()) return InvalidField(name, "appears more than once");
    *slot = value;
  }

  Event event;
  if (!event_id.has_value()) return InvalidField(kFieldEventId, "is missing");
  if (!IsEventId(*event_id)) {
    return InvalidField(kFieldEventId, "must be 32 lowercase hex digits");
  }
  event.event_id = *std::move(event_id);

  if (!type.has_value()) return InvalidField(kFieldType, "is missing");
  if (type->empty() || type->size() > kMaxTypeLength ||
      !IsPrintableAscii(*type)) {
    return InvalidField(
        kFieldType, absl::StrCat("must be 1..", kMaxTypeLength,
                                 " printable ASCII characters without spaces"));
  }
  event.type = *std::move(type);

  if (!aggregate_id.has_value()) {
    return InvalidField(kFieldAggregateId, "is missing");
  }
  if (aggregate_id->size() > kMaxAggregateIdLength) {
    return InvalidField(
        kFieldAggregateId,
        absl::StrCat("must be at most ", kMaxAggregateIdLength, " bytes"));
  }
  event.aggregate_id = *std::move(aggregate_id);

  if (!payload.has_value()) return InvalidField(kFieldPayload, "is missing");
  event.payload = nlohmann::json::parse(*payload, /*cb=*/nullptr,
                                        /*allow_exceptions=*/false);
  if (event.payload.is_discarded()) {
    return InvalidField(kFieldPayload, "must be a JSON document");
  }

  if (!occurred_at.has_value()) {
    return InvalidField(kFieldOccurredAt, "is missing");
  }
  if (!ParseOccurredAt(*occurred_at, &event.occurred_at)) {
    return InvalidField(kFieldOccurredAt, "must be an RFC 3339 date-time");
  }
  return event;
}

}  // namespace crm::events
