#include "services/gateway/route.h"

#include <cctype>

namespace crm::gateway {
namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool ValidService(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (!IsIdentChar(c) && c != '.') return false;
    if (c == '.' && prev == '.') return false;
    prev = c;
  }
  return s.find('.') != std::string_view::npos;
}

bool ValidMethod(std::string_view m) {
  if (m.empty()) return false;
  for (char c : m) {
    if (!IsIdentChar(c)) return false;
  }
  return true;
}

bool PrefixThenUpper(std::string_view method, std::string_view prefix) {
  if (!method.starts_with(prefix)) return false;
  if (method.size() == prefix.size()) return true;
  return std::isupper(static_cast<unsigned char>(method[prefix.size()]));
}

}  // namespace

std::optional<RpcRoute> ParseRpcPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/v1/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view service = path.substr(0, slash);
  std::string_view method = path.substr(slash + 1);
  if (!ValidService(service) || !ValidMethod(method)) return std::nullopt;
  RpcRoute r;
  r.service = std::string(service);
  r.method = std::string(method);
  r.package = std::string(service.substr(0, service.rfind('.')));
  return r;
}

bool IsInternalMethod(std::string_view method) {
  return PrefixThenUpper(method, "Run") || PrefixThenUpper(method, "Rebuild");
}

std::optional<absl::Duration> ParseGrpcTimeout(std::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  const char unit = value.back();
  std::string_view digits = value.substr(0, value.size() - 1);
  int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  switch (unit) {
    case 'H':
      return absl::Hours(n);
    case 'M':
      return absl::Minutes(n);
    case 'S':
      return absl::Seconds(n);
    case 'm':
      return absl::Milliseconds(n);
    case 'u':
      return absl::Microseconds(n);
    case 'n':
      return absl::Nanoseconds(n);
    default:
      return std::nullopt;
  }
}

std::optional<std::string> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i])
      return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r'))
    token.remove_suffix(1);
  if (token.empty() || token.find(' ') != std::string_view::npos)
    return std::nullopt;
  return std::string(token);
}

}  // namespace crm::gateway
