// The dashboard's static files (services/gateway/web, config `web_dir`):
// "/" is index.html, "/static/<path>" any file below the directory. Files are
// read per request (they are small and this keeps edits live in development).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm::gateway {

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string cache_control;
};

// Whether a URL path below /static/ is a safe relative file path: not
// empty, no "..", "." or empty segments, no backslash or NUL, no leading
// '/', and no hidden files ('.' first in a segment).
bool SafeRelativePath(std::string_view path);

// By extension: .html, .js, .mjs, .css, .svg, .png, .ico, .map, .txt;
// empty for anything else, which is never served (package.json, sources).
std::string_view ContentTypeFor(std::string_view path);

// Cache policy: index.html and other HTML "no-cache" (always revalidate, so
// a new deployment shows at once); files under vendor/ (the chart library,
// versioned by package-lock.json) a day; other assets five minutes.
std::string_view CacheControlFor(std::string_view relative_path);

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}

  // The file at `relative_path` below the root, or nullopt if it is unsafe,
  // of a type not served, under node_modules/, missing or not a regular
  // file.
  std::optional<StaticFile> Load(std::string_view relative_path) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace crm::gateway
