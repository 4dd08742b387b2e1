// BackgroundLoop, the thread behind OutboxRelay and StreamConsumer: Start
// and Stop are idempotent and restartable, Notify() wakes a waiting body
// (and is not lost while the body is busy), and Stop() interrupts a long
// wait instead of sleeping it out.
#include <atomic>
#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/events/background_loop.h"
#include "gtest/gtest.h"

namespace crm::events {
namespace {

// Long enough that a test only passes in time if something cut it short.
constexpr absl::Duration kForever = absl::Seconds(60);
// Generous bound for things that should happen at once; not a speed check.
constexpr absl::Duration kPrompt = absl::Seconds(10);

// Polls `done` until it holds or kPrompt passes; returns its last value.
bool Eventually(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + kPrompt;
  while (!done() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return done();
}

TEST(EventsBackgroundLoopTest, StartAndStopAreIdempotentAndRestartable) {
  BackgroundLoop loop;
  loop.Stop();  // not started: a no-op
  EXPECT_FALSE(loop.stopping());

  std::atomic<int> runs{0};
  std::atomic<int> finished{0};
  auto body = [&] {
    ++runs;
    while (loop.WaitFor(kForever)) {
    }
    ++finished;
  };
  loop.Start(body);
  loop.Start(body);  // already running: a no-op
  ASSERT_TRUE(Eventually([&] { return runs == 1; }));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(runs, 1);

  loop.Stop();
  EXPECT_EQ(finished, 1);  // joined: the body has returned
  loop.Stop();             // idempotent
  EXPECT_EQ(finished, 1);

  loop.Start(body);  // can be started again
  ASSERT_TRUE(Eventually([&] { return runs == 2; }));
  EXPECT_FALSE(loop.stopping());
  loop.Stop();
  EXPECT_EQ(finished, 2);
}

TEST(EventsBackgroundLoopTest, BodyThatReturnsOnItsOwnIsStillStoppedAndJoined) {
  BackgroundLoop loop;
  std::atomic<int> runs{0};
  auto body = [&] { ++runs; };
  loop.Start(body);
  ASSERT_TRUE(Eventually([&] { return runs == 1; }));
  loop.Start(body);  // not stopped yet: still a no-op
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(runs, 1);
  loop.Stop();
  loop.Start(body);
  ASSERT_TRUE(Eventually([&] { return runs == 2; }));
  loop.Stop();
}

TEST(EventsBackgroundLoopTest, NotifyWakesTheBodyEarly) {
  BackgroundLoop loop;
  std::atomic<int> passes{0};
  std::atomic<int> woken{0};
  loop.Start([&] {
    while (true) {
      ++passes;
      if (!loop.WaitFor(kForever)) return;
      ++woken;  // WaitFor returned true: woken by Notify, not by Stop
    }
  });
  ASSERT_TRUE(Eventually([&] { return passes == 1; }));

  const absl::Time start = absl::Now();
  loop.Notify();
  ASSERT_TRUE(Eventually([&] { return passes == 2; }));
  EXPECT_LT(absl::Now() - start, kPrompt);
  EXPECT_EQ(woken, 1);

  // One Notify() is one wake-up: the body sleeps again afterwards.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(passes, 2);

  loop.Notify();
  ASSERT_TRUE(Eventually([&] { return passes == 3; }));
  loop.Stop();
  EXPECT_EQ(woken, 2);
}

TEST(EventsBackgroundLoopTest, NotifyWhileTheBodyIsBusyIsNotLost) {
  BackgroundLoop loop;
  std::atomic<bool> in_pass{false};
  std::atomic<bool> release{false};
  std::atomic<int> passes{0};
  loop.Start([&] {
    while (true) {
      in_pass = true;
      while (passes == 0 && !release) absl::SleepFor(absl::Milliseconds(1));
      in_pass = false;
      ++passes;
      if (!loop.WaitFor(kForever)) return;
    }
  });
  ASSERT_TRUE(Eventually([&] { return in_pass.load(); }));
  loop.Notify();  // arrives before the body waits
  release = true;
  // The first WaitFor returns at once and the second pass runs.
  ASSERT_TRUE(Eventually([&] { return passes == 2; }));
  loop.Stop();
}

TEST(EventsBackgroundLoopTest, StopReturnsPromptlyWhileTheBodyWaits) {
  std::atomic<bool> waiting{false};
  std::atomic<int> wait_result{-1};
  std::atomic<bool> saw_stopping{false};
  BackgroundLoop loop;
  loop.Start([&] {
    EXPECT_FALSE(loop.stopping());
    waiting = true;
    wait_result = loop.WaitFor(kForever) ? 1 : 0;
    saw_stopping = loop.stopping();
  });
  ASSERT_TRUE(Eventually([&] { return waiting.load(); }));
  absl::SleepFor(absl::Milliseconds(20));  // let it block in WaitFor

  const absl::Time start = absl::Now();
  loop.Stop();
  EXPECT_LT(absl::Now() - start, kPrompt);
  EXPECT_EQ(wait_result, 0);  // false: the body is asked to return
  EXPECT_TRUE(saw_stopping);
}

TEST(EventsBackgroundLoopTest, ZeroWaitOnlyChecksForStop) {
  BackgroundLoop loop;
  std::atomic<int> passes{0};
  loop.Start([&] {
    while (loop.WaitFor(absl::ZeroDuration())) ++passes;
  });
  ASSERT_TRUE(Eventually([&] { return passes > 100; }));  // spins, no sleep
  loop.Stop();
}

TEST(EventsBackgroundLoopTest, DestructorStopsTheLoop) {
  std::atomic<bool> returned{false};
  const absl::Time start = absl::Now();
  {
    BackgroundLoop loop;
    loop.Start([&] {
      while (loop.WaitFor(kForever)) {
      }
      returned = true;
    });
  }  // ~BackgroundLoop stops and joins
  EXPECT_TRUE(returned);
  EXPECT_LT(absl::Now() - start, kPrompt);
}

}  // namespace
}  // namespace crm::events
