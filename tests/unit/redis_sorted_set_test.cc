// Score formatting for sorted sets: exact round trips through Redis's text.
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/numbers.h"
#include "common/redis/sorted_set.h"
#include "gtest/gtest.h"

namespace crm::redis {
namespace {

TEST(FormatScoreTest, ShortestExactText) {
  EXPECT_EQ(FormatScore(0), "0");
  EXPECT_EQ(FormatScore(1.5), "1.5");
  EXPECT_EQ(FormatScore(-3), "-3");
  EXPECT_EQ(FormatScore(123456789012), "123456789012");
  EXPECT_EQ(FormatScore(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatScore(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(FormatScoreTest, RoundTripsWithoutLoss) {
  for (double v : {0.1, 1.0 / 3.0, 9007199254740992.0, 1e-300, -2.5e10,
                   123456.789012345}) {
    double back = 0;
    ASSERT_TRUE(absl::SimpleAtod(FormatScore(v), &back)) << FormatScore(v);
    EXPECT_EQ(back, v) << FormatScore(v);
  }
}

}  // namespace
}  // namespace crm::redis
