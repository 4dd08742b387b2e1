// In-process metrics rendered in the Prometheus text format (version 0.0.4)
// and served on the admin port (admin_server.h, GET /metrics).
//
//  - RequestMetrics: counts by (method, code) and a latency histogram per
//    method, fed by the request interceptor for every gRPC call. Cheap
//    enough for every request (one mutex, a few map lookups).
//  - MetricsRegistry: a small registry any code can feed, with labels:
//    counters, gauges, histograms, and scrape-time collectors (e.g. the DB
//    pool's in-use/idle counts, read when Prometheus scrapes).
//  - RecordJobRun(): the one way scheduled jobs report a round
//    (crm_job_runs_total, crm_job_run_seconds, crm_job_last_run_timestamp).
//
//   auto& m = crm::server::MetricsRegistry::Global();
//   m.CounterAdd("crm_accounts_recycled_total", "Accounts moved to the pool.",
//                {{"reason", "no_follow_up"}}, n);
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace crm::server {

// Label name/value pairs, in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

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

// One sample a collector reports at scrape time: a gauge, or with
// `counter` a counter the collector's source keeps (e.g. the DB pool's
// wait totals). One name is one type: the first sample of a name decides.
struct GaugeSample {
  std::string name;
  std::string help;
  Labels labels;
  double value = 0;
  bool counter = false;
};

class MetricsRegistry {
 public:
  // Seconds; the default buckets of HistogramObserve (jobs, batches).
  static constexpr std::array<double, 11> kDefaultBuckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300};

  using Collector = std::function<std::vector<GaugeSample>()>;

  // Removes its collector when destroyed (move-only).
  class Registration {
   public:
    Registration() = default;
    Registration(MetricsRegistry* registry, int64_t id)
        : registry_(registry), id_(id) {}
    Registration(Registration&& other) noexcept { *this = std::move(other); }
    Registration& operator=(Registration&& other) noexcept;
    ~Registration();

   private:
    MetricsRegistry* registry_ = nullptr;
    int64_t id_ = 0;
  };

  // Metric and label names must match [a-zA-Z_][a-zA-Z0-9_]*; a name is one
  // type for the life of the process (a mismatching call is ignored and
  // logged once). `help` is taken from the first call.
  void CounterAdd(std::string_view name, std::string_view help,
                  const Labels& labels, int64_t delta = 1);
  void GaugeSet(std::string_view name, std::string_view help,
                const Labels& labels, double value);
  // `buckets` (ascending upper bounds) are fixed by the first call.
  void HistogramObserve(std::string_view name, std::string_view help,
                        const Labels& labels, double value,
                        const std::vector<double>& buckets = {
                            kDefaultBuckets.begin(), kDefaultBuckets.end()});

  // Runs `collector` on every scrape; its samples are rendered as gauges
  // and not stored. Keep it cheap and non-blocking (it runs on the admin
  // server's thread).
  [[nodiscard]] Registration AddCollector(Collector collector);

  // For tests: a counter's or gauge's current value (0 if never set).
  double Value(std::string_view name, const Labels& labels) const;

  // The registry's families, then the collectors' gauges.
  std::string RenderPrometheus() const;

  // The process-wide instance.
  static MetricsRegistry& Global();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Histogram {
    std::vector<int64_t> buckets;
    int64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;       // histograms only
    std::map<Labels, double> values;  // counters and gauges
    std::map<Labels, Histogram> histograms;
  };
  Family* FamilyFor(std::string_view name, std::string_view help, Type type);
  void Remove(int64_t id);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  mutable std::mutex collectors_mu_;
  std::map<int64_t, Collector> collectors_;
  int64_t next_id_ = 1;
};

// A scheduled job's round: outcome is "ok", "skipped" (another replica held
// the leader lock) or "error". Feeds crm_job_runs_total{job,outcome},
// crm_job_run_seconds{job} (rounds that ran) and
// crm_job_last_run_timestamp_seconds{job,outcome} in the global registry.
void RecordJobRun(std::string_view job, std::string_view outcome,
                  absl::Duration took, absl::Time now = absl::Now());

// The whole /metrics page: request metrics, then the global registry.
std::string RenderAllMetrics();

// Prometheus text helpers (exposed for tests and other renderers).
std::string EscapeLabelValue(std::string_view value);
std::string FormatMetricValue(double value);

}  // namespace crm::server
