// Reading fields of an event payload (JSON) leniently but safely: producers
// may send ids as numbers or decimal strings; anything else is "absent", and
// the consumer decides whether that makes the event poison.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace crm::events {

// An integer: a JSON integer or a decimal string.
std::optional<int64_t> IntField(const nlohmann::json& payload,
                                const char* name);
// An id as text: a non-empty JSON string of at most 64 bytes, or an integer.
std::optional<std::string> IdField(const nlohmann::json& payload,
                                   const char* name);
// A JSON string (possibly empty).
std::optional<std::string> StringField(const nlohmann::json& payload,
                                       const char* name);
// An RFC 3339 time string (as FormatOccurredAt writes).
std::optional<absl::Time> TimeField(const nlohmann::json& payload,
                                    const char* name);

}  // namespace crm::events
