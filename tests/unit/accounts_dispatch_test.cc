// Bulk dispatch split (domain/dispatch): deterministic, even, documented.
#include <gtest/gtest.h>

#include <map>

#include "services/accounts/domain/dispatch.h"

namespace crm::accounts {
namespace {

std::map<int64_t, std::vector<int64_t>> ByAssignee(
    const std::vector<DispatchItem>& items) {
  std::map<int64_t, std::vector<int64_t>> out;
  for (const DispatchItem& i : items)
    out[i.assignee_id].push_back(i.account_id);
  return out;
}

TEST(DispatchTest, TenOverThreeIsFourThreeThree) {
  auto items = SplitEvenly({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {30, 10, 20});
  ASSERT_EQ(items.size(), 10u);
  auto by = ByAssignee(items);
  // The first assignee named in the request gets the extra one.
  EXPECT_EQ(by[30], (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(by[10], (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(by[20], (std::vector<int64_t>{8, 9, 10}));
}

TEST(DispatchTest, AccountsAreSortedFirst) {
  auto a = SplitEvenly({9, 3, 7, 1, 5}, {100, 200});
  auto b = SplitEvenly({1, 3, 5, 7, 9}, {100, 200});
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].account_id, b[i].account_id);
    EXPECT_EQ(a[i].assignee_id, b[i].assignee_id);
  }
  auto by = ByAssignee(a);
  EXPECT_EQ(by[100], (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(by[200], (std::vector<int64_t>{7, 9}));
}

TEST(DispatchTest, SizesDifferByAtMostOne) {
  for (int n = 1; n <= 40; ++n) {
    for (int k = 1; k <= 9; ++k) {
      std::vector<int64_t> accounts, reps;
      for (int i = 1; i <= n; ++i) accounts.push_back(i);
      for (int i = 1; i <= k; ++i) reps.push_back(1000 + i);
      auto items = SplitEvenly(accounts, reps);
      ASSERT_EQ(static_cast<int>(items.size()), n);
      auto by = ByAssignee(items);
      for (int i = 0; i < k; ++i) {
        const int expected = n / k + (i < n % k ? 1 : 0);
        EXPECT_EQ(static_cast<int>(by[reps[i]].size()), expected)
            << n << " over " << k << ", assignee " << i;
      }
    }
  }
}

TEST(DispatchTest, FewerAccountsThanAssignees) {
  auto by = ByAssignee(SplitEvenly({5, 6}, {1, 2, 3}));
  EXPECT_EQ(by[1], (std::vector<int64_t>{5}));
  EXPECT_EQ(by[2], (std::vector<int64_t>{6}));
  EXPECT_EQ(by.count(3), 0u);
}

TEST(DispatchTest, ValidationNamesTheFieldAndRule) {
  EXPECT_TRUE(ValidateDispatch({1, 2}, {3}).ok());
  auto s = ValidateDispatch({}, {3});
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_NE(s.message().find("account_ids"), std::string::npos);
  s = ValidateDispatch({1}, {});
  EXPECT_NE(s.message().find("assignee_ids"), std::string::npos);
  s = ValidateDispatch({1, 0}, {3});
  EXPECT_NE(s.message().find("positive"), std::string::npos);
  s = ValidateDispatch({1, 2, 1}, {3});
  EXPECT_NE(s.message().find("twice"), std::string::npos);
  s = ValidateDispatch({1}, {3, 3});
  EXPECT_NE(s.message().find("assignee_ids"), std::string::npos);
  std::vector<int64_t> many;
  for (int i = 1; i <= kMaxDispatchAccounts + 1; ++i) many.push_back(i);
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateDispatch(many, {3})));
}

}  // namespace
}  // namespace crm::accounts
