#include "services/gateway/cors.h"

namespace crm::gateway {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

CorsPolicy CorsPolicy::Parse(std::string_view comma_list) {
  CorsPolicy p;
  while (!comma_list.empty()) {
    size_t comma = comma_list.find(',');
    std::string_view item = Trim(comma_list.substr(0, comma));
    comma_list = comma == std::string_view::npos ? std::string_view()
                                                 : comma_list.substr(comma + 1);
    if (!item.empty() && item.back() == '/') item.remove_suffix(1);
    if (item.empty()) continue;
    if (item == "*") {
      p.any_ = true;
    } else {
      p.origins_.insert(std::string(item));
    }
  }
  return p;
}

bool CorsPolicy::Allows(std::string_view origin) const {
  if (origin.empty() || origin == "null") return false;
  return any_ || origins_.count(std::string(origin)) > 0;
}

HeaderList CorsPolicy::ResponseHeaders(std::string_view origin) const {
  if (!Allows(origin)) return {};
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Vary", "Origin"},
          {"Access-Control-Expose-Headers", "Retry-After"}};
}

HeaderList CorsPolicy::PreflightHeaders(std::string_view origin) const {
  HeaderList h = ResponseHeaders(origin);
  if (h.empty()) return h;
  h.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  h.emplace_back("Access-Control-Allow-Headers",
                 "Authorization, Content-Type, grpc-timeout");
  h.emplace_back("Access-Control-Max-Age", "600");
  return h;
}

}  // namespace crm::gateway
