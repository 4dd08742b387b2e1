// Coalescer: turns concurrent single requests into batch calls, without a
// timer (ADR 0023).
//
// Callers Submit() one item under a key (requests with different keys are
// never batched together; the leads service keys by the caller's
// authorization metadata, so a batch runs with one caller's data scope).
// Per key at most one batch call is in flight: the first caller finds none
// and becomes the leader, runs the call with its own item right away (no
// waiting at low load), and callers arriving meanwhile queue up. When the
// call returns, the leader hands every member its result and promotes the
// oldest queued caller, which runs the next call with everyone queued (up
// to `max_batch`). Under load the batch size grows with the queue; alone, a
// caller pays one call, as without batching.
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

  Coalescer(size_t max_batch, BatchFn fn)
      : max_batch_(max_batch < 1 ? 1 : max_batch), fn_(std::move(fn)) {}
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  absl::StatusOr<Result> Submit(const std::string& key, Item item) {
    Waiter me;
    me.item = std::move(item);
    std::unique_lock<std::mutex> lock(mu_);
    Queue& q = queues_[key];
    q.pending.push_back(&me);
    if (!q.in_flight) {
      q.in_flight = true;
      me.leader = true;
    }
    cv_.wait(lock, [&] { return me.result.has_value() || me.leader; });
    if (me.result.has_value()) return std::move(*me.result);

    // Leader: this caller is at the front of the queue.
    const size_t n = std::min(max_batch_, q.pending.size());
    std::vector<Waiter*> members(q.pending.begin(), q.pending.begin() + n);
    q.pending.erase(q.pending.begin(), q.pending.begin() + n);
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
      queues_.erase(key);
    } else {
      q.pending.front()->leader = true;
    }
    cv_.notify_all();
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
    bool leader = false;
  };
  struct Queue {
    std::deque<Waiter*> pending;
    bool in_flight = false;
  };

  const size_t max_batch_;
  const BatchFn fn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Queue> queues_;  // keys with a call in flight
  int64_t batches_ = 0, items_ = 0;
};

}  // namespace crm::leads
