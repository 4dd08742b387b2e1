// The Coalescer of CreateLead's account checks (services/leads/coalescer.h):
// a caller alone makes its own call at once; callers arriving while a call
// is in flight share the next one; results go back in order; a failed call
// fails all its members; keys never mix; max_batch caps a call;
// max_concurrent calls of one key run side by side.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "services/leads/coalescer.h"

namespace crm::leads {
namespace {

// A batch function that doubles its items and can be held in the middle of
// a call until released, recording every call's items.
class Backend {
 public:
  absl::StatusOr<std::vector<int>> Call(const std::string& key,
                                        const std::vector<int>& items) {
    std::unique_lock<std::mutex> l(mu_);
    calls_.push_back({key, items});
    ++in_call_;
    cv_.notify_all();
    cv_.wait(l, [&] { return !hold_; });
    --in_call_;
    if (fail_) return absl::UnavailableError("backend down");
    std::vector<int> out;
    for (int i : items) out.push_back(short_ ? 0 : i * 2);
    if (short_) out.pop_back();
    return out;
  }
  void Hold() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void WaitInCall(int n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return in_call_ >= n; });
  }
  std::vector<std::pair<std::string, std::vector<int>>> calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  bool fail_ = false, short_ = false;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  int in_call_ = 0;
  std::vector<std::pair<std::string, std::vector<int>>> calls_;
};

using IntCoalescer = Coalescer<int, int>;

IntCoalescer Make(Backend& b, size_t max_batch = 500) {
  return IntCoalescer(
      max_batch, [&b](const std::string& k, const std::vector<int>& items) {
        return b.Call(k, items);
      });
}

// Waits until `c` has `n` callers queued behind the call in flight.
void WaitQueued(IntCoalescer& c, const std::string& key, size_t n) {
  while (c.Queued(key) < n) std::this_thread::yield();
}

TEST(LeadsCoalescerTest, ACallerAloneCallsAtOnce) {
  Backend b;
  IntCoalescer c = Make(b);
  for (int i = 1; i <= 3; ++i) {
    absl::StatusOr<int> r = c.Submit("t", i);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(*r, 2 * i);
  }
  EXPECT_EQ(b.calls().size(), 3u);
  EXPECT_EQ(c.Counts(), (std::pair<int64_t, int64_t>{3, 3}));
}

TEST(LeadsCoalescerTest, CallersArrivingDuringACallShareTheNext) {
  Backend b;
  IntCoalescer c = Make(b);
  b.Hold();
  std::vector<int> got(6, -1);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { got[0] = *c.Submit("t", 100); });
  b.WaitInCall(1);  // the first call is in flight with item 100 alone
  for (int i = 1; i < 6; ++i)
    threads.emplace_back([&, i] { got[i] = *c.Submit("t", i); });
  WaitQueued(c, "t", 5);
  b.Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(got[0], 200);
  for (int i = 1; i < 6; ++i) EXPECT_EQ(got[i], 2 * i);
  auto calls = b.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].second, std::vector<int>{100});
  EXPECT_EQ(calls[1].second.size(), 5u);  // everyone who queued, one call
}

TEST(LeadsCoalescerTest, MaxBatchCapsACall) {
  Backend b;
  IntCoalescer c = Make(b, 2);
  b.Hold();
  std::vector<std::thread> threads;
  std::atomic<int> sum{0};
  threads.emplace_back([&] { sum += *c.Submit("t", 0); });
  b.WaitInCall(1);
  for (int i = 1; i <= 5; ++i)
    threads.emplace_back([&, i] { sum += *c.Submit("t", i); });
  WaitQueued(c, "t", 5);
  b.Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(sum.load(), 2 * (1 + 2 + 3 + 4 + 5));
  auto calls = b.calls();
  ASSERT_EQ(calls.size(), 4u);  // {0}, then 5 queued in calls of 2, 2, 1
  for (const auto& call : calls) EXPECT_LE(call.second.size(), 2u);
}

TEST(LeadsCoalescerTest, KeysAreNeverMixed) {
  Backend b;
  IntCoalescer c = Make(b);
  b.Hold();
  std::vector<std::thread> threads;
  threads.emplace_back([&] { EXPECT_EQ(*c.Submit("alice", 1), 2); });
  threads.emplace_back([&] { EXPECT_EQ(*c.Submit("bob", 2), 4); });
  b.WaitInCall(2);  // one call per key in flight at the same time
  threads.emplace_back([&] { EXPECT_EQ(*c.Submit("alice", 3), 6); });
  threads.emplace_back([&] { EXPECT_EQ(*c.Submit("bob", 4), 8); });
  WaitQueued(c, "alice", 1);
  WaitQueued(c, "bob", 1);
  b.Release();
  for (auto& t : threads) t.join();
  for (const auto& [key, items] : b.calls()) {
    for (int i : items) EXPECT_EQ(key == "alice", i % 2 == 1) << key << i;
  }
  EXPECT_EQ(c.Queued("alice"), 0u);
}

TEST(LeadsCoalescerTest, AFailedCallFailsEveryMember) {
  Backend b;
  b.fail_ = true;
  IntCoalescer c = Make(b);
  b.Hold();
  std::vector<absl::Status> got(4);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { got[0] = c.Submit("t", 0).status(); });
  b.WaitInCall(1);
  for (int i = 1; i < 4; ++i)
    threads.emplace_back([&, i] { got[i] = c.Submit("t", i).status(); });
  WaitQueued(c, "t", 3);
  b.Release();
  for (auto& t : threads) t.join();
  for (const absl::Status& s : got)
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  // The next caller is not stuck behind the failure.
  b.fail_ = false;
  EXPECT_EQ(*c.Submit("t", 7), 14);
}

TEST(LeadsCoalescerTest, AWrongResultCountIsAnInternalError) {
  Backend b;
  b.short_ = true;
  IntCoalescer c = Make(b);
  EXPECT_EQ(c.Submit("t", 1).status().code(), absl::StatusCode::kInternal);
}

TEST(LeadsCoalescerTest, MaxConcurrentCallsRunSideBySide) {
  Backend b;
  IntCoalescer c(
      500,
      [&b](const std::string& k, const std::vector<int>& items) {
        return b.Call(k, items);
      },
      /*max_concurrent=*/2);
  b.Hold();
  std::vector<int> got(6, -1);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { got[0] = *c.Submit("t", 100); });
  b.WaitInCall(1);
  threads.emplace_back([&] { got[1] = *c.Submit("t", 101); });
  b.WaitInCall(2);  // a second call of the same key, alone, in flight
  for (int i = 2; i < 6; ++i)
    threads.emplace_back([&, i] { got[i] = *c.Submit("t", i); });
  WaitQueued(c, "t", 4);  // both slots busy: the rest queue
  b.Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(got[0], 200);
  EXPECT_EQ(got[1], 202);
  for (int i = 2; i < 6; ++i) EXPECT_EQ(got[i], 2 * i);
  auto calls = b.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].second.size(), 4u);  // the queue went to one freed slot
  EXPECT_EQ(c.Queued("t"), 0u);
  // Both slots are free again: a caller alone calls at once.
  EXPECT_EQ(*c.Submit("t", 9), 18);
}

TEST(LeadsCoalescerTest, ManyThreadsAllGetTheirOwnResult) {
  Backend b;
  IntCoalescer c = Make(b, 7);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const int item = t * 1000 + i;
        absl::StatusOr<int> r = c.Submit("t", item);
        if (!r.ok() || *r != 2 * item) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  auto [batches, items] = c.Counts();
  EXPECT_EQ(items, 8 * 300);
  EXPECT_LE(batches, items);
}

}  // namespace
}  // namespace crm::leads
