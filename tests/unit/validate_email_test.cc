#include <gtest/gtest.h>

#include <string>

#include "common/validate/email.h"

namespace crm::validate {
namespace {

std::string N(std::string_view raw) {
  absl::StatusOr<std::string> r = NormalizeEmail(raw, "email");
  if (r.ok()) return *r;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << raw;
  return "error: " + std::string(r.status().message());
}

TEST(EmailTest, AcceptsCommonAddresses) {
  EXPECT_EQ(N("zhangsan@qq.com"), "zhangsan@qq.com");
  EXPECT_EQ(N("12345678@qq.com"), "12345678@qq.com");
  EXPECT_EQ(N("li.si@163.com"), "li.si@163.com");
  EXPECT_EQ(N("wang_wu+crm@mail.example.com.cn"),
            "wang_wu+crm@mail.example.com.cn");
  EXPECT_EQ(N("a@b.co"), "a@b.co");
  EXPECT_EQ(N("o'brien@example.ie"), "o'brien@example.ie");
  EXPECT_EQ(N("info@xn--fiqs8s.xn--fiqs8s"), "info@xn--fiqs8s.xn--fiqs8s");
  EXPECT_EQ(N("user@my-company.com"), "user@my-company.com");
}

TEST(EmailTest, TrimsLowercasesDomainKeepsLocalCase) {
  EXPECT_EQ(N("  ZhangSan@Example.COM \n"), "ZhangSan@example.com");
  EXPECT_EQ(N("\u3000li@QQ.com\u3000"), "li@qq.com");
}

TEST(EmailTest, FoldsWhatTheChineseImeTypes) {
  EXPECT_EQ(N("zhangsan＠qq．com"), "zhangsan@qq.com");
  EXPECT_EQ(N("zhangsan@qq。com"), "zhangsan@qq.com");
  EXPECT_EQ(N("ｚｈａｎｇｓａｎ＠ＱＱ．ＣＯＭ"), "zhangsan@qq.com");
}

TEST(EmailTest, AtSign) {
  EXPECT_EQ(N("zhangsan.qq.com"), "error: email: must contain exactly one '@'");
  EXPECT_EQ(N("a@b@qq.com"), "error: email: must contain exactly one '@'");
  EXPECT_EQ(N(""), "error: email: must not be empty");
  EXPECT_EQ(N("   "), "error: email: must not be empty");
  EXPECT_EQ(N("zhang san@qq.com"), "error: email: must not contain spaces");
}

TEST(EmailTest, LocalPart) {
  EXPECT_EQ(N("@qq.com"),
            "error: email: local part must be 1 to 64 characters");
  EXPECT_EQ(N(std::string(64, 'a') + "@qq.com"),
            std::string(64, 'a') + "@qq.com");
  EXPECT_EQ(N(std::string(65, 'a') + "@qq.com"),
            "error: email: local part must be 1 to 64 characters");
  for (std::string_view raw : {".li@qq.com", "li.@qq.com", "li..si@qq.com"}) {
    EXPECT_EQ(N(raw),
              "error: email: local part must not start or end with '.' or "
              "contain '..'")
        << raw;
  }
  for (std::string_view raw : {"\"lisi\"@qq.com", "li,si@qq.com", "张三@qq.com",
                               "li(si)@qq.com", "li\x01@qq.com"}) {
    EXPECT_EQ(N(raw),
              "error: email: local part contains a character that is not "
              "allowed")
        << raw;
  }
}

TEST(EmailTest, Domain) {
  EXPECT_EQ(N("li@"), "error: email: domain must not be empty");
  EXPECT_EQ(N("li@localhost"), "error: email: domain must contain a '.'");
  for (std::string_view raw : {"li@.qq.com", "li@qq.com.", "li@qq..com"}) {
    EXPECT_EQ(N(raw),
              "error: email: domain must not start or end with '.' or contain "
              "'..'")
        << raw;
  }
  EXPECT_EQ(N("li@q_q.com"),
            "error: email: domain may contain only letters, digits, '-' and "
            "'.'");
  EXPECT_EQ(N("li@例子.中国"),
            "error: email: domain may contain only letters, digits, '-' and "
            "'.'");
  EXPECT_EQ(N("li@[192.168.0.1]"),
            "error: email: domain may contain only letters, digits, '-' and "
            "'.'");
  EXPECT_EQ(N("li@-qq.com"),
            "error: email: domain labels must not start or end with '-'");
  EXPECT_EQ(N("li@qq-.com"),
            "error: email: domain labels must not start or end with '-'");
  EXPECT_EQ(N("li@192.168.0.1"),
            "error: email: domain must end in a name, not a number");
  EXPECT_EQ(N("li@" + std::string(63, 'a') + ".com"),
            "li@" + std::string(63, 'a') + ".com");
  EXPECT_EQ(N("li@" + std::string(64, 'a') + ".com"),
            "error: email: domain labels must be at most 63 characters");
}

TEST(EmailTest, TotalLength) {
  // 64 + 1 + 189 = 254 is the limit.
  std::string domain = std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                       std::string(60, 'c') + ".exampl";  // 189
  ASSERT_EQ(domain.size(), 189u);
  std::string local(64, 'x');
  EXPECT_EQ(N(local + "@" + domain), local + "@" + domain);
  EXPECT_EQ(N(local + "@a" + domain),
            "error: email: must be at most 254 characters");
}

TEST(EmailTest, NormalizedOutputIsAFixedPoint) {
  for (std::string_view raw : {"  ZhangSan@Example.COM ", "li＠qq。com"}) {
    std::string once = N(raw);
    EXPECT_EQ(N(once), once);
  }
}

}  // namespace
}  // namespace crm::validate
