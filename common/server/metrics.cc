#include "common/server/metrics.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace crm::server {
namespace {

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// `{a="x",b="y"}` with an optional extra label appended (le="...").
std::string RenderLabels(const Labels& labels, std::string_view extra_name = {},
                         std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    absl::StrAppend(&out, k, "=\"", EscapeLabelValue(v), "\"");
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    absl::StrAppend(&out, std::string(extra_name), "=\"",
                    std::string(extra_value), "\"");
  }
  out += '}';
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integral values (counts) print exactly; %g's 6 digits would round them.
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return absl::StrCat(static_cast<int64_t>(value));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", value);
  return buf;
}

// ------------------------------------------------------------- requests --

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
    absl::StrAppend(&out, "crm_grpc_requests_total{method=\"",
                    EscapeLabelValue(key.first), "\",code=\"",
                    EscapeLabelValue(key.second), "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP crm_grpc_request_seconds gRPC request latency.\n"
                  "# TYPE crm_grpc_request_seconds histogram\n");
  for (const auto& [method, h] : latency_) {
    const std::string m = EscapeLabelValue(method);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "crm_grpc_request_seconds_bucket{method=\"", m,
                      "\",le=\"", FormatMetricValue(kBuckets[i]), "\"} ",
                      h.buckets[i], "\n");
    }
    absl::StrAppend(&out, "crm_grpc_request_seconds_bucket{method=\"", m,
                    "\",le=\"+Inf\"} ", h.count, "\n",
                    "crm_grpc_request_seconds_sum{method=\"", m, "\"} ",
                    FormatMetricValue(h.sum), "\n",
                    "crm_grpc_request_seconds_count{method=\"", m, "\"} ",
                    h.count, "\n");
  }
  return out;
}

RequestMetrics& RequestMetrics::Global() {
  static RequestMetrics metrics;
  return metrics;
}

// ------------------------------------------------------------- registry --

MetricsRegistry::Registration& MetricsRegistry::Registration::operator=(
    Registration&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->Remove(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

MetricsRegistry::Registration::~Registration() {
  if (registry_ != nullptr) registry_->Remove(id_);
}

MetricsRegistry::Family* MetricsRegistry::FamilyFor(std::string_view name,
                                                    std::string_view help,
                                                    Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!ValidName(name)) {
      log::Warn("metric name rejected", {{"metric", std::string(name)}});
      return nullptr;
    }
    Family f;
    f.type = type;
    f.help = std::string(help);
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  if (it->second.type != type) {
    log::Warn("metric used with two types", {{"metric", std::string(name)}});
    return nullptr;
  }
  return &it->second;
}

void MetricsRegistry::CounterAdd(std::string_view name, std::string_view help,
                                 const Labels& labels, int64_t delta) {
  if (delta < 0) return;  // counters only go up
  std::lock_guard<std::mutex> lock(mu_);
  if (Family* f = FamilyFor(name, help, Type::kCounter))
    f->values[labels] += static_cast<double>(delta);
}

void MetricsRegistry::GaugeSet(std::string_view name, std::string_view help,
                               const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Family* f = FamilyFor(name, help, Type::kGauge))
    f->values[labels] = value;
}

void MetricsRegistry::HistogramObserve(std::string_view name,
                                       std::string_view help,
                                       const Labels& labels, double value,
                                       const std::vector<double>& buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = FamilyFor(name, help, Type::kHistogram);
  if (f == nullptr) return;
  if (f->bounds.empty()) f->bounds = buckets;
  Histogram& h = f->histograms[labels];
  if (h.buckets.empty()) h.buckets.resize(f->bounds.size());
  for (size_t i = 0; i < f->bounds.size(); ++i) {
    if (value <= f->bounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += value;
}

MetricsRegistry::Registration MetricsRegistry::AddCollector(
    Collector collector) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  const int64_t id = next_id_++;
  collectors_.emplace(id, std::move(collector));
  return Registration(this, id);
}

void MetricsRegistry::Remove(int64_t id) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_.erase(id);
}

double MetricsRegistry::Value(std::string_view name,
                              const Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto v = it->second.values.find(labels);
  return v == it->second.values.end() ? 0 : v->second;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, f] : families_) {
      const char* type = f.type == Type::kCounter ? "counter"
                         : f.type == Type::kGauge ? "gauge"
                                                  : "histogram";
      absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(f.help), "\n",
                      "# TYPE ", name, " ", type, "\n");
      for (const auto& [labels, v] : f.values) {
        absl::StrAppend(&out, name, RenderLabels(labels), " ",
                        FormatMetricValue(v), "\n");
      }
      for (const auto& [labels, h] : f.histograms) {
        for (size_t i = 0; i < f.bounds.size(); ++i) {
          absl::StrAppend(
              &out, name, "_bucket",
              RenderLabels(labels, "le", FormatMetricValue(f.bounds[i])), " ",
              h.buckets[i], "\n");
        }
        absl::StrAppend(&out, name, "_bucket",
                        RenderLabels(labels, "le", "+Inf"), " ", h.count, "\n",
                        name, "_sum", RenderLabels(labels), " ",
                        FormatMetricValue(h.sum), "\n", name, "_count",
                        RenderLabels(labels), " ", h.count, "\n");
      }
    }
  }
  // Collectors run outside mu_: they may call back into the registry.
  std::vector<GaugeSample> samples;
  {
    std::lock_guard<std::mutex> lock(collectors_mu_);
    for (const auto& [id, collect] : collectors_) {
      for (GaugeSample& s : collect()) samples.push_back(std::move(s));
    }
  }
  std::map<std::string, std::vector<const GaugeSample*>> by_name;
  for (const GaugeSample& s : samples) {
    if (ValidName(s.name)) by_name[s.name].push_back(&s);
  }
  for (const auto& [name, list] : by_name) {
    absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(list.front()->help),
                    "\n# TYPE ", name,
                    list.front()->counter ? " counter\n" : " gauge\n");
    for (const GaugeSample* s : list) {
      absl::StrAppend(&out, name, RenderLabels(s->labels), " ",
                      FormatMetricValue(s->value), "\n");
    }
  }
  return out;
}

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry registry;
  return registry;
}

void RecordJobRun(std::string_view job, std::string_view outcome,
                  absl::Duration took, absl::Time now) {
  MetricsRegistry& m = MetricsRegistry::Global();
  const std::string j(job), o(outcome);
  m.CounterAdd("crm_job_runs_total",
               "Scheduled job rounds by outcome (ok, skipped: another "
               "replica held the leader lock, error).",
               {{"job", j}, {"outcome", o}});
  if (outcome != "skipped") {
    m.HistogramObserve("crm_job_run_seconds",
                       "Duration of job rounds that ran (ok or error).",
                       {{"job", j}}, absl::ToDoubleSeconds(took));
  }
  m.GaugeSet("crm_job_last_run_timestamp_seconds",
             "Unix time of the job's last round, by outcome.",
             {{"job", j}, {"outcome", o}},
             static_cast<double>(absl::ToUnixSeconds(now)));
}

std::string RenderAllMetrics() {
  return RequestMetrics::Global().RenderPrometheus() +
         MetricsRegistry::Global().RenderPrometheus();
}

}  // namespace crm::server
