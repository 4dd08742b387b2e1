#include <gtest/gtest.h>

#include "common/validate/dice.h"

namespace crm::validate {
namespace {

TEST(BigramDiceTest, Basics) {
  EXPECT_DOUBLE_EQ(BigramDice("字节跳动", "字节跳动"), 1.0);
  EXPECT_DOUBLE_EQ(BigramDice("", ""), 0.0);
  EXPECT_DOUBLE_EQ(BigramDice("", "a"), 0.0);
  EXPECT_DOUBLE_EQ(BigramDice("ab", "cd"), 0.0);
  EXPECT_DOUBLE_EQ(BigramDice("\xFF", "\xFF"), 0.0);  // invalid UTF-8
  EXPECT_DOUBLE_EQ(BigramDice("ab", "ba"), BigramDice("ba", "ab"));
}

TEST(BigramDiceTest, CountsCodePointsWithBoundaryMarkers) {
  // ^字 字节 节跳 跳动 动$ vs ^字 字节 节$: 2 shared of 5 + 3.
  EXPECT_DOUBLE_EQ(BigramDice("字节跳动", "字节"), 2.0 * 2 / 8);
  // One-character strings still compare: ^a a$ vs ^a a$.
  EXPECT_DOUBLE_EQ(BigramDice("a", "a"), 1.0);
  // ^a a$ vs ^b b$.
  EXPECT_DOUBLE_EQ(BigramDice("a", "b"), 0.0);
  EXPECT_DOUBLE_EQ(BigramDice(U"字节", U"字节跳"), 2.0 * 2 / 7);
}

TEST(BigramDiceTest, RepeatedBigramsCountAsMultiset) {
  // ^a aa aa a$ vs ^a aa a$: 3 shared of 4 + 3.
  EXPECT_DOUBLE_EQ(BigramDice("aaa", "aa"), 2.0 * 3 / 7);
}

}  // namespace
}  // namespace crm::validate
