// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-25T16:40:00.123Z","level":"info","msg":"rpc","method":"/x","ms":1.2}
// Built on spdlog (thread-safe sink, level filter) and nlohmann::json
// (escaping). Never log secrets: passwords, tokens and keys stay out of fields.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace crm::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the minimum level; accepts "debug", "info", "warn", "error".
bool SetLevel(std::string_view level);

void Write(Level level, std::string_view msg,
           const nlohmann::json& fields = nlohmann::json::object());

inline void Debug(std::string_view msg,
                  const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kDebug, msg, f);
}
inline void Info(std::string_view msg,
                 const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kInfo, msg, f);
}
inline void Warn(std::string_view msg,
                 const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kWarn, msg, f);
}
inline void Error(std::string_view msg,
                  const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kError, msg, f);
}

}  // namespace crm::log
