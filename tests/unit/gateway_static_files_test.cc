// Static file rules: safe paths, content types and cache policy, and
// loading from a directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "services/gateway/static_files.h"
#include "tests/testing/test_env.h"

namespace crm::gateway {
namespace {

TEST(GatewayStaticFilesTest, SafePaths) {
  for (const char* ok : {"app.js", "vendor/chart.umd.js", "a/b/c.css"}) {
    EXPECT_TRUE(SafeRelativePath(ok)) << ok;
  }
  for (const char* bad :
       {"", "/etc/passwd", "../secret", "a/../../b", "a//b", "./a", "a/.",
        ".env", "a/.git/config", "a\\b", "c:/x", "a/"}) {
    EXPECT_FALSE(SafeRelativePath(bad)) << bad;
  }
  EXPECT_FALSE(SafeRelativePath(std::string_view("a\0b", 3)));
}

TEST(GatewayStaticFilesTest, ContentTypesAndCaching) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("x.bin"), "");
  EXPECT_EQ(ContentTypeFor("package.json"), "");
  EXPECT_EQ(CacheControlFor("index.html"), "no-cache");
  EXPECT_EQ(CacheControlFor("vendor/chart.umd.js"), "public, max-age=86400");
  EXPECT_EQ(CacheControlFor("app.js"), "public, max-age=300");
}

TEST(GatewayStaticFilesTest, LoadsFilesBelowTheRootOnly) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / testing::UniqueName("gw_static");
  fs::create_directories(root / "vendor");
  std::ofstream(root / "index.html") << "<form id=login></form>";
  std::ofstream(root / "vendor" / "lib.js") << "var x;";
  std::ofstream(root / "package.json") << "{}";
  fs::create_directories(root / "node_modules" / "x");
  std::ofstream(root / "node_modules" / "x" / "x.js") << "var y;";
  std::ofstream(root.parent_path() / "outside.txt") << "secret";
  StaticFiles files(root.string());
  auto index = files.Load("index.html");
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->body, "<form id=login></form>");
  EXPECT_EQ(index->cache_control, "no-cache");
  auto lib = files.Load("vendor/lib.js");
  ASSERT_TRUE(lib.has_value());
  EXPECT_EQ(lib->content_type, "text/javascript; charset=utf-8");
  EXPECT_FALSE(files.Load("../outside.txt").has_value());
  EXPECT_FALSE(files.Load("missing.js").has_value());
  EXPECT_FALSE(files.Load("package.json").has_value());
  EXPECT_FALSE(files.Load("node_modules/x/x.js").has_value());
  EXPECT_FALSE(files.Load("vendor").has_value());  // a directory
  fs::remove_all(root);
}

}  // namespace
}  // namespace crm::gateway
