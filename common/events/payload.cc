#include "common/events/payload.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/event.h"

namespace crm::events {

std::optional<int64_t> IntField(const nlohmann::json& p, const char* name) {
  if (!p.is_object() || !p.contains(name)) return std::nullopt;
  const nlohmann::json& v = p[name];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    int64_t out = 0;
    if (absl::SimpleAtoi(v.get<std::string>(), &out)) return out;
  }
  return std::nullopt;
}

std::optional<std::string> IdField(const nlohmann::json& p, const char* name) {
  if (!p.is_object() || !p.contains(name)) return std::nullopt;
  const nlohmann::json& v = p[name];
  if (v.is_string() && !v.get<std::string>().empty() &&
      v.get<std::string>().size() <= 64)
    return v.get<std::string>();
  if (v.is_number_integer()) return absl::StrCat(v.get<int64_t>());
  return std::nullopt;
}

std::optional<std::string> StringField(const nlohmann::json& p,
                                       const char* name) {
  if (!p.is_object() || !p.contains(name) || !p[name].is_string())
    return std::nullopt;
  return p[name].get<std::string>();
}

std::optional<absl::Time> TimeField(const nlohmann::json& p, const char* name) {
  std::optional<std::string> text = StringField(p, name);
  absl::Time t;
  if (!text.has_value() || !ParseOccurredAt(*text, &t)) return std::nullopt;
  return t;
}

}  // namespace crm::events
