// Coalescer: turns concurrent single requests into batch calls, without a
// timer (ADR 0023).
//
// Callers Submit() one item under a key (requests with different keys are
// never batched together; the leads service keys by the caller's
// authorization metadata, so a batch runs with one caller's data scope).
// Per key at most `max_concurrent` batch calls are in flight (default 1): a
// caller finding a free slot becomes a leader and runs the call with its
// own item right away (no waiting at low load); callers arriving while all
// slots are busy queue up. When a call returns, its leader hands every
// member its result and passes the slot to the oldest queued caller, with
// everyone queued (up to `max_batch`) as that caller's batch. Under load
// the batch size grows with the queue; alone, a caller pays one call, as
// without batching.
//
// The batch function runs on the leader's thread, without the lock held.
// It returns one result per item, in order, or one status for the whole
// batch (every member gets it).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace crm::leads {

template <typename Item, typename Result>
class Coalescer {
 public:
  using BatchFn = std::function<absl::StatusOr<std::vector<Result>>(
      const std::string& key, const std::vector<Item>& items)>;

  // `max_concurrent`: batch calls per key running at once (1: strictly one
  // after the other).
  Coalescer(size_t max_batch, BatchFn fn, int max_concurrent = 1)
      : max_batch_(max_batch < 1 ? 1 : max_batch),
        max_concurrent_(max_concurrent < 1 ? 1 : max_concurrent),
        fn_(std::move(fn)) {}
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  absl::StatusOr<Result> Submit(const std::string& key, Item item) {
    Waiter me;
    me.item = std::move(item);
    std::unique_lock<std::mutex> lock(mu_);
    Queue& q = queues_[key];
    q.pending.push_back(&me);
    // Callers queue only while max_concurrent calls run, and a finished
    // call hands its slot to the oldest of them; so a caller finding a free
    // slot finds nobody queued before it and runs alone.
    if (q.running < max_concurrent_) {
      ++q.running;
      TakeBatch(q, &me);
    }
    me.wake.wait(lock,
                 [&] { return me.result.has_value() || !me.batch.empty(); });
    if (me.result.has_value()) return std::move(*me.result);

    // Leader of the batch taken for it (itself first).
    const std::vector<Waiter*> members = std::move(me.batch);
    const size_t n = members.size();
    std::vector<Item> items;
    items.reserve(n);
    for (Waiter* w : members) items.push_back(std::move(w->item));
    ++batches_;
    items_ += n;
    lock.unlock();
    absl::StatusOr<std::vector<Result>> out = fn_(key, items);
    if (out.ok() && out->size() != n) {
      out = absl::InternalError(absl::StrCat(
          "batch call returned ", out->size(), " results for ", n, " items"));
    }
    lock.lock();
    for (size_t i = 0; i < n; ++i) {
      if (out.ok()) {
        members[i]->result.emplace(std::move((*out)[i]));
      } else {
        members[i]->result.emplace(out.status());
      }
    }
    if (q.pending.empty()) {
      if (--q.running == 0) queues_.erase(key);
    } else {
      // The slot goes to the oldest queued caller, with everyone queued
      // (up to max_batch) as its batch.
      Waiter* next = q.pending.front();
      TakeBatch(q, next);
      next->wake.notify_one();
    }
    // Each waiter has its own condition variable: only the batch's members
    // (and the next leader) wake, not every queued caller.
    for (size_t i = 1; i < n; ++i) members[i]->wake.notify_one();
    return std::move(*me.result);
  }

  // Callers waiting for the next call under `key` (for tests).
  size_t Queued(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = queues_.find(key);
    return it == queues_.end() ? 0 : it->second.pending.size();
  }

  // Batch calls made and items they carried (for tests and metrics).
  std::pair<int64_t, int64_t> Counts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {batches_, items_};
  }

 private:
  struct Waiter {
    Item item;
    std::optional<absl::StatusOr<Result>> result;
    // Set for a leader: the members of its batch, itself first.
    std::vector<Waiter*> batch;
    std::condition_variable wake;
  };
  struct Queue {
    std::deque<Waiter*> pending;
    int running = 0;  // batch calls in flight
  };

  // Moves the oldest queued callers (up to max_batch, `leader` first: it
  // is the oldest) into `leader`'s batch. Called with the lock held.
  void TakeBatch(Queue& q, Waiter* leader) {
    const size_t n = std::min(max_batch_, q.pending.size());
    leader->batch.assign(q.pending.begin(), q.pending.begin() + n);
    q.pending.erase(q.pending.begin(), q.pending.begin() + n);
  }

  const size_t max_batch_;
  const int max_concurrent_;
  const BatchFn fn_;
  mutable std::mutex mu_;
  std::map<std::string, Queue> queues_;  // keys with a call in flight
  int64_t batches_ = 0, items_ = 0;
};

}  // namespace crm::leads
