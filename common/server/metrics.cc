#include "common/server/metrics.h"

#include "absl/strings/str_cat.h"

namespace crm::server {

void RequestMetrics::Record(const std::string& method, const std::string& code,
                            absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[{method, code}];
  Histogram& h = latency_[method];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

int64_t RequestMetrics::Count(const std::string& method,
                              const std::string& code) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find({method, code});
  return it == counts_.end() ? 0 : it->second;
}

std::string RequestMetrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out =
      "# HELP crm_grpc_requests_total gRPC requests by method and status "
      "code.\n"
      "# TYPE crm_grpc_requests_total counter\n";
  for (const auto& [key, n] : counts_) {
    absl::StrAppend(&out, "crm_grpc_requests_total{method=\"", key.first,
                    "\",code=\"", key.second, "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP crm_grpc_request_seconds gRPC request latency.\n"
                  "# TYPE crm_grpc_request_seconds histogram\n");
  for (const auto& [method, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "crm_grpc_request_seconds_bucket{method=\"", method,
                      "\",le=\"", kBuckets[i], "\"} ", h.buckets[i], "\n");
    }
    absl::StrAppend(&out, "crm_grpc_request_seconds_bucket{method=\"", method,
                    "\",le=\"+Inf\"} ", h.count, "\n",
                    "crm_grpc_request_seconds_sum{method=\"", method, "\"} ",
                    h.sum, "\n", "crm_grpc_request_seconds_count{method=\"",
                    method, "\"} ", h.count, "\n");
  }
  return out;
}

RequestMetrics& RequestMetrics::Global() {
  static RequestMetrics metrics;
  return metrics;
}

}  // namespace crm::server
