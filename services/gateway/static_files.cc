#include "services/gateway/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace crm::gateway {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool SafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : slash - start);
    if (seg.empty() || seg.front() == '.') return false;
    for (char c : seg) {
      if (c == '\\' || c == '\0' || c == ':') return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

std::string_view ContentTypeFor(std::string_view path) {
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Entry& e : kTypes) {
    if (EndsWith(path, e.ext)) return e.type;
  }
  return "";
}

std::string_view CacheControlFor(std::string_view relative_path) {
  if (EndsWith(relative_path, ".html")) return "no-cache";
  if (relative_path.starts_with("vendor/")) return "public, max-age=86400";
  return "public, max-age=300";
}

std::optional<StaticFile> StaticFiles::Load(
    std::string_view relative_path) const {
  if (!SafeRelativePath(relative_path) ||
      ContentTypeFor(relative_path).empty() ||
      relative_path.starts_with("node_modules/"))
    return std::nullopt;
  std::filesystem::path p =
      std::filesystem::path(root_) / std::string(relative_path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  StaticFile f;
  f.body = std::move(body).str();
  f.content_type = std::string(ContentTypeFor(relative_path));
  f.cache_control = std::string(CacheControlFor(relative_path));
  return f;
}

}  // namespace crm::gateway
