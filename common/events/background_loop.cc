#include "common/events/background_loop.h"

#include <utility>

namespace crm::events {

BackgroundLoop::~BackgroundLoop() { Stop(); }

void BackgroundLoop::Start(std::function<void()> body) {
  std::lock_guard<std::mutex> start_lock(start_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread(std::move(body));
}

void BackgroundLoop::Stop() {
  std::lock_guard<std::mutex> start_lock(start_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void BackgroundLoop::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  wake_.notify_all();
}

bool BackgroundLoop::WaitFor(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (timeout > absl::ZeroDuration()) {
    wake_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                   [this] { return stopping_ || notified_; });
  }
  if (stopping_) return false;
  notified_ = false;
  return true;
}

bool BackgroundLoop::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

}  // namespace crm::events
