#include <gtest/gtest.h>

#include <string>

#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

TEST(Utf8Test, DecodesAndEncodesRoundTrip) {
  const std::string s = "aé字😀";  // 1, 2, 3 and 4 bytes
  std::optional<std::u32string> cps = DecodeUtf8(s);
  ASSERT_TRUE(cps.has_value());
  EXPECT_EQ(*cps, U"aé字😀");
  EXPECT_EQ(EncodeUtf8(*cps), s);
  EXPECT_EQ(DecodeUtf8(""), std::u32string());
}

TEST(Utf8Test, RejectsMalformedInput) {
  EXPECT_FALSE(DecodeUtf8("\x80"));              // stray continuation
  EXPECT_FALSE(DecodeUtf8("\xE5\xAD"));          // truncated 字
  EXPECT_FALSE(DecodeUtf8("a\xE5"));             // truncated at the end
  EXPECT_FALSE(DecodeUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(DecodeUtf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(DecodeUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(DecodeUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(DecodeUtf8("\xFF"));
  EXPECT_FALSE(
      DecodeUtf8("\xE5"
                 "a"
                 "\xAD"));  // continuation missing
}

TEST(TextTest, ToHalfWidth) {
  EXPECT_EQ(ToHalfWidth("１２３ＡＢＣａｂｃ"), "123ABCabc");
  EXPECT_EQ(ToHalfWidth("（北京）＠，．！～"), "(北京)@,.!~");
  EXPECT_EQ(ToHalfWidth("张\u3000三"), "张 三");
  // First and last of the range: U+FF01 and U+FF5E.
  EXPECT_EQ(ToHalfWidth("\uFF01\uFF5E"), "!~");
  // Neighbours outside it stay: U+FF00 (unassigned), U+FF5F, U+FFE5 (￥),
  // and CJK punctuation, which has no ASCII twin.
  EXPECT_EQ(ToHalfWidth("\uFF5F\uFFE5，。、"), "\uFF5F\uFFE5,。、");
  EXPECT_EQ(ToHalfWidth("plain ascii 字"), "plain ascii 字");
  // Invalid bytes pass through untouched.
  EXPECT_EQ(ToHalfWidth("a\xFF\xEF\xBC"), "a\xFF\xEF\xBC");
  EXPECT_EQ(ToHalfWidth(""), "");
}

TEST(TextTest, CollapseSpaces) {
  EXPECT_EQ(CollapseSpaces("  a   b\t\nc  "), "a b c");
  EXPECT_EQ(CollapseSpaces("\u3000张\u3000\u3000三\u00A0"), "张 三");
  EXPECT_EQ(CollapseSpaces("\u00A0 \u3000"), "");
  EXPECT_EQ(CollapseSpaces("nochange"), "nochange");
  EXPECT_EQ(CollapseSpaces(""), "");
}

TEST(TextTest, Utf8Length) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("北京字节跳动"), 6u);
  EXPECT_EQ(Utf8Length("a字😀"), 3u);
}

TEST(TextTest, IsPunctuationOrSpace) {
  for (char32_t c : std::u32string(U" .,-()&·、，。《》【】（）“”…—〔〕・™")) {
    EXPECT_TRUE(IsPunctuationOrSpace(c)) << static_cast<uint32_t>(c);
  }
  for (char32_t c : std::u32string(U"aZ09字々〇é")) {
    EXPECT_FALSE(IsPunctuationOrSpace(c)) << static_cast<uint32_t>(c);
  }
}

TEST(ValidateNameTest, TrimsAndAccepts) {
  std::string name = "  \u3000北京字节跳动科技有限公司 \u00A0";
  ASSERT_TRUE(ValidateName(&name, "name", 100).ok());
  EXPECT_EQ(name, "北京字节跳动科技有限公司");
  name = "Acme  Trading";  // inner spaces are kept as typed
  ASSERT_TRUE(ValidateName(&name, "name", 100).ok());
  EXPECT_EQ(name, "Acme  Trading");
}

TEST(ValidateNameTest, LengthIsInCharactersNotBytes) {
  std::string name = "字节跳动";  // 12 bytes, 4 characters
  EXPECT_TRUE(ValidateName(&name, "name", 4).ok());
  absl::Status s = ValidateName(&name, "name", 3);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "name: must be at most 3 characters");
  // Trimmed spaces do not count.
  name = "  字节跳动  ";
  EXPECT_TRUE(ValidateName(&name, "name", 4).ok());
  EXPECT_EQ(name, "字节跳动");
}

TEST(ValidateNameTest, Rejections) {
  struct Case {
    std::string in;
    std::string message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "contact.name: must not be empty"},
           {" \t\u3000 ", "contact.name: must not be empty"},
           {"张\xE4\xB8", "contact.name: must be valid UTF-8"},
           {"\xFF张三", "contact.name: must be valid UTF-8"},
           {"张\t三", "contact.name: must not contain control characters"},
           {"张\n三", "contact.name: must not contain control characters"},
           {std::string("张\0三", 7),
            "contact.name: must not contain control characters"},
           {"张\x7F三", "contact.name: must not contain control characters"},
           {"张\u0085三", "contact.name: must not contain control characters"},
           {"evil\u202Egnp.exe",
            "contact.name: must not contain control characters"},
           {"a\u2066b", "contact.name: must not contain control characters"},
           {"a\u2028b", "contact.name: must not contain control characters"},
       }) {
    std::string name = c.in;
    absl::Status s = ValidateName(&name, "contact.name", 50);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.in;
    EXPECT_EQ(s.message(), c.message) << c.in;
    EXPECT_EQ(name, c.in) << "left unchanged on error";
  }
}

}  // namespace
}  // namespace crm::validate
