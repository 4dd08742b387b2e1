// Cross-origin rules for browsers calling the gateway from another origin
// (config `cors_origins`: a comma list of exact origins such as
// "https://crm.example.com", or "*" for any origin).
//
// Same-origin requests (the dashboard served by the gateway itself) carry
// no Origin header, or the gateway's own, and need no CORS at all.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CorsPolicy {
 public:
  CorsPolicy() = default;
  // "a, b ,c" -> {a, b, c}; blanks ignored; a trailing '/' is removed.
  static CorsPolicy Parse(std::string_view comma_list);

  // Whether a request from `origin` may read the response. An empty origin
  // (no Origin header) is not a cross-origin request: false here, and no
  // CORS headers are added.
  bool Allows(std::string_view origin) const;

  // Headers for an allowed actual request (origin echoed, Vary: Origin,
  // Retry-After exposed). Empty when not allowed.
  HeaderList ResponseHeaders(std::string_view origin) const;
  // Headers for an allowed preflight (OPTIONS): the above plus methods,
  // allowed request headers and Max-Age. Empty when not allowed.
  HeaderList PreflightHeaders(std::string_view origin) const;

  bool any() const { return any_; }
  const std::set<std::string>& origins() const { return origins_; }

 private:
  bool any_ = false;
  std::set<std::string> origins_;
};

}  // namespace crm::gateway
