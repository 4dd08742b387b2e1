// In-process request metrics: counts by (method, code) and a latency
// histogram per method, rendered in the Prometheus text format. Cheap enough
// for every request (one mutex, a few map lookups).
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/time/time.h"

namespace crm::server {

class RequestMetrics {
 public:
  // Upper bounds in seconds of the latency buckets.
  static constexpr std::array<double, 12> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  void Record(const std::string& method, const std::string& code,
              absl::Duration latency);
  int64_t Count(const std::string& method, const std::string& code) const;
  std::string RenderPrometheus() const;

  // The process-wide instance the interceptor feeds.
  static RequestMetrics& Global();

 private:
  struct Histogram {
    std::array<int64_t, kBuckets.size()> buckets{};
    int64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, int64_t> counts_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace crm::server
