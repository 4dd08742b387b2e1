// One background thread that runs a body until stopped, with an
// interruptible sleep between the body's passes. OutboxRelay and
// StreamConsumer both run "do a pass, sleep, repeat until Stop()" loops;
// this holds the thread and the stop/wake signalling once so each of them
// only writes its pass and decides how long to wait.
//
// The body runs on the thread and owns the loop's pace: it does a pass,
// then calls WaitFor(d), which sleeps up to `d` and returns false once
// Stop() was called (the body then returns). Notify() cuts one sleep
// short. A typical body:
//
//   loop_.Start([this] {
//     while (true) {
//       const absl::Duration wait = RunPass();
//       if (!loop_.WaitFor(wait)) return;
//     }
//   });
//
// A body that blocks elsewhere (e.g. on a Redis read) checks stopping()
// between passes; Stop() then waits for the pass in flight to end.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace crm::events {

class BackgroundLoop {
 public:
  BackgroundLoop() = default;
  // Stop()s (RAII): the thread never outlives the loop. An owner whose body
  // uses the owner's other members must still stop the loop before those
  // are destroyed: call Stop() in its destructor (or declare the loop last).
  ~BackgroundLoop();
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  // Runs `body` once on a new thread. A no-op while a thread started
  // earlier has not been Stop()ped, even if its body already returned.
  // After Stop() it may be started again.
  void Start(std::function<void()> body);
  // Asks the body to finish (WaitFor returns false, stopping() true), wakes
  // it and joins the thread: returns once the pass in flight (if any) is
  // done. Idempotent; a no-op when not started. Must not be called from
  // the body itself.
  void Stop();
  // Cuts the body's current (or next) WaitFor short. A Notify() that comes
  // while the body is busy is remembered, so it is never lost.
  void Notify();

  // For the body: sleeps until `timeout` passed, Notify() or Stop().
  // Returns false when stopping (the body should return), true otherwise;
  // consumes a pending Notify(). A zero or negative timeout only checks.
  bool WaitFor(absl::Duration timeout);
  // True from Stop() until the thread is joined.
  bool stopping() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool notified_ = false;  // guarded by mu_
  // Serialises Start/Stop; only they touch thread_.
  std::mutex start_mu_;
  std::thread thread_;  // guarded by start_mu_
};

}  // namespace crm::events
