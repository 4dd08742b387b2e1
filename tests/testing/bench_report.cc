#include "tests/testing/bench_report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace crm::testing::bench {
namespace {

const char* RatioName(RatioOf r) {
  switch (r) {
    case RatioOf::kThroughput:
      return "throughput";
    case RatioOf::kP50:
      return "p50";
    case RatioOf::kP99:
      return "p99";
    case RatioOf::kNone:
      break;
  }
  return "";
}

std::string Micros(double us) {
  if (us <= 0) return "–";
  if (us < 1000) return absl::StrFormat("%.0f µs", us);
  if (us < 10e6) return absl::StrFormat("%.1f ms", us / 1000);
  return absl::StrFormat("%.1f s", us / 1e6);
}

std::string Rate(double v, const std::string& unit) {
  if (v <= 0) return "–";
  if (v >= 100) return absl::StrCat(Thousands(std::llround(v)), " ", unit);
  return absl::StrFormat("%.2f %s", v, unit);
}

// A table cell: no pipes or line breaks.
std::string Cell(std::string s) {
  for (char& c : s)
    if (c == '|' || c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string Thousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

double Scale() {
  const char* v = std::getenv("CRM_BENCH_SCALE");
  if (v == nullptr || *v == '\0') return 1.0;
  const double s = std::atof(v);
  if (!(s > 0)) {
    std::fprintf(stderr, "CRM_BENCH_SCALE=%s: must be a number > 0\n", v);
    std::exit(2);
  }
  return s;
}

int64_t Scaled(int64_t n, int64_t min) {
  return std::max<int64_t>(min, std::llround(static_cast<double>(n) * Scale()));
}

BenchRecord FromLoad(const std::string& bench, const std::string& scenario,
                     const LoadResult& r, int in_flight) {
  BenchRecord rec;
  rec.bench = bench;
  rec.scenario = scenario;
  rec.throughput = r.rps;
  rec.p50_us = r.latency.p50_us;
  rec.p99_us = r.latency.p99_us;
  rec.calls = r.calls;
  rec.errors = r.errors;
  rec.in_flight = in_flight;
  rec.cpu = r.cpu;
  if (r.dropped > 0)
    rec.notes = absl::StrCat(r.dropped, " open-loop starts dropped");
  if (r.errors > 0)
    absl::StrAppend(&rec.notes, rec.notes.empty() ? "" : "; ",
                    "first error: ", r.first_error);
  return rec;
}

void SetBaseline(BenchRecord* rec, const std::string& name, const LoadResult& b,
                 RatioOf ratio_of) {
  rec->baseline = name;
  rec->baseline_throughput = b.rps;
  rec->baseline_p50_us = b.latency.p50_us;
  rec->baseline_p99_us = b.latency.p99_us;
  rec->ratio_of = ratio_of;
}

nlohmann::json ToJson(const BenchRecord& r) {
  return nlohmann::json{
      {"bench", r.bench},
      {"scenario", r.scenario},
      {"unit", r.unit},
      {"throughput", r.throughput},
      {"p50_us", r.p50_us},
      {"p99_us", r.p99_us},
      {"calls", r.calls},
      {"errors", r.errors},
      {"in_flight", r.in_flight},
      {"target_rps", r.target_rps},
      {"baseline", r.baseline},
      {"baseline_throughput", r.baseline_throughput},
      {"baseline_p50_us", r.baseline_p50_us},
      {"baseline_p99_us", r.baseline_p99_us},
      {"ratio_of", RatioName(r.ratio_of)},
      {"ratio", r.ratio},
      {"cpu_cores",
       {{"self", r.cpu.self},
        {"mysql", r.cpu.mysql},
        {"redis", r.cpu.redis},
        {"other", r.cpu.other}}},
      {"dataset", r.dataset},
      {"notes", r.notes},
  };
}

void Emit(BenchRecord r) {
  switch (r.ratio_of) {
    case RatioOf::kThroughput:
      r.ratio =
          r.baseline_throughput > 0 ? r.throughput / r.baseline_throughput : 0;
      break;
    case RatioOf::kP50:
      r.ratio = r.baseline_p50_us > 0 ? r.p50_us / r.baseline_p50_us : 0;
      break;
    case RatioOf::kP99:
      r.ratio = r.baseline_p99_us > 0 ? r.p99_us / r.baseline_p99_us : 0;
      break;
    case RatioOf::kNone:
      break;
  }
  std::printf(
      "RESULT %s | %s | %s | p50 %s | p99 %s | baseline %s | ratio (%s) %.3f "
      "| cpu %.2f/%.2f/%.2f | %s\n",
      r.bench.c_str(), r.scenario.c_str(), Rate(r.throughput, r.unit).c_str(),
      Micros(r.p50_us).c_str(), Micros(r.p99_us).c_str(), r.baseline.c_str(),
      RatioName(r.ratio_of), r.ratio, r.cpu.self, r.cpu.mysql, r.cpu.redis,
      r.dataset.c_str());
  std::fflush(stdout);
  const char* out = std::getenv("CRM_BENCH_OUT");
  if (out == nullptr || *out == '\0') return;
  static std::mutex mu;
  std::lock_guard<std::mutex> l(mu);
  std::ofstream f(out, std::ios::app);
  f << ToJson(r).dump() << "\n";
  if (!f) std::fprintf(stderr, "could not append to %s\n", out);
}

Machine ThisMachine() {
  Machine m;
  m.nproc = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpu, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) m.cpu_model = line.substr(colon + 2);
      break;
    }
  }
  std::ifstream mem("/proc/meminfo");
  while (std::getline(mem, line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      m.ram_gib = std::atof(line.c_str() + 9) / (1024.0 * 1024.0);
      break;
    }
  }
  utsname u{};
  if (uname(&u) == 0) m.kernel = absl::StrCat(u.sysname, " ", u.release);
  return m;
}

nlohmann::json ReportJson(const std::vector<nlohmann::json>& records,
                          const RunInfo& run, const Machine& m) {
  return nlohmann::json{
      {"started_at", run.started_at},
      {"elapsed_s", run.elapsed_s},
      {"filter", run.filter},
      {"git_commit", run.git_commit},
      {"scale", Scale()},
      {"machine",
       {{"nproc", m.nproc},
        {"cpu_model", m.cpu_model},
        {"ram_gib", m.ram_gib},
        {"kernel", m.kernel}}},
      {"mariadb",
       {{"version", run.mariadb_version},
        {"innodb_flush_log_at_trx_commit", run.flush_log},
        {"innodb_buffer_pool_size", run.buffer_pool}}},
      {"failed_benches", run.failed},
      {"records", records},
  };
}

std::string ReportMarkdown(const nlohmann::json& j) {
  auto str = [](const nlohmann::json& v, const char* k) {
    return v.contains(k) && v[k].is_string() ? v[k].get<std::string>()
                                             : std::string();
  };
  auto num = [](const nlohmann::json& v, const char* k) {
    return v.contains(k) && v[k].is_number() ? v[k].get<double>() : 0.0;
  };
  const auto& m = j["machine"];
  const auto& db = j["mariadb"];
  const std::string flush = str(db, "innodb_flush_log_at_trx_commit");
  std::string md = "# Benchmark results\n\n";
  absl::StrAppend(&md, "- Run: ", str(j, "started_at"), ", ",
                  absl::StrFormat("%.0f", num(j, "elapsed_s")), " s in all",
                  str(j, "filter").empty()
                      ? ""
                      : absl::StrCat(" (filter `", str(j, "filter"), "`)"),
                  str(j, "git_commit").empty()
                      ? ""
                      : absl::StrCat(", commit ", str(j, "git_commit")),
                  "\n");
  absl::StrAppend(&md, "- Machine: ", m["nproc"].get<int>(), " CPUs (",
                  str(m, "cpu_model"), "), ",
                  absl::StrFormat("%.1f", num(m, "ram_gib")), " GiB RAM, ",
                  str(m, "kernel"), "\n");
  absl::StrAppend(
      &md, "- MariaDB ", str(db, "version"),
      ", innodb_flush_log_at_trx_commit=", flush,
      flush == "1" ? " (durable: every commit flushed to disk)"
                   : " (NOT durable: commits of the last second may be lost)",
      ", innodb_buffer_pool_size=", str(db, "innodb_buffer_pool_size"), "\n");
  absl::StrAppend(&md, "- Data-set scale (CRM_BENCH_SCALE): ",
                  absl::StrFormat("%g", num(j, "scale")), "\n");
  if (!j["failed_benches"].empty()) {
    std::vector<std::string> failed;
    for (const auto& f : j["failed_benches"])
      failed.push_back(f.get<std::string>());
    absl::StrAppend(&md, "- FAILED: ", absl::StrJoin(failed, ", "), "\n");
  }
  absl::StrAppend(
      &md,
      "- Services run in the bench process (client and services share its "
      "CPU: column \"CPU self\"); ratios compare with a baseline measured "
      "in the same run. Throughput ratio: scenario / baseline (1 = as fast); "
      "latency ratio: scenario / baseline (10 = 10x slower).\n\n");
  md +=
      "| Bench | Scenario | Data set | Throughput | p50 | p99 | Baseline | "
      "Baseline figure | Ratio | CPU self / MariaDB / Redis (cores) |\n"
      "|---|---|---|--:|--:|--:|---|--:|--:|--:|\n";
  for (const auto& r : j["records"]) {
    const std::string unit = str(r, "unit");
    const std::string ratio_of = str(r, "ratio_of");
    std::string base_fig = "–", ratio = "–";
    if (ratio_of == "throughput") {
      base_fig = Rate(num(r, "baseline_throughput"), unit);
      ratio = absl::StrFormat("%.2f (throughput)", num(r, "ratio"));
    } else if (ratio_of == "p50" || ratio_of == "p99") {
      base_fig =
          absl::StrCat(ratio_of, " ",
                       Micros(num(r, ratio_of == "p50" ? "baseline_p50_us"
                                                       : "baseline_p99_us")));
      ratio = absl::StrFormat("%.2f (%s)", num(r, "ratio"), ratio_of);
    }
    std::string scenario = str(r, "scenario");
    if (num(r, "in_flight") > 0)
      absl::StrAppend(&scenario, ", ", num(r, "in_flight"), " in flight");
    if (num(r, "target_rps") > 0)
      absl::StrAppend(&scenario, ", open loop at ",
                      Thousands(std::llround(num(r, "target_rps"))), "/s");
    if (num(r, "errors") > 0)
      absl::StrAppend(&scenario, " (", num(r, "errors"), " errors)");
    const auto& cpu = r["cpu_cores"];
    absl::StrAppend(
        &md, "| ", Cell(str(r, "bench")), " | ", Cell(scenario), " | ",
        Cell(str(r, "dataset")), " | ", Rate(num(r, "throughput"), unit), " | ",
        Micros(num(r, "p50_us")), " | ", Micros(num(r, "p99_us")), " | ",
        Cell(str(r, "baseline")), " | ", base_fig, " | ", ratio, " | ",
        absl::StrFormat("%.2f / %.2f / %.2f", num(cpu, "self"),
                        num(cpu, "mysql"), num(cpu, "redis")),
        " |\n");
  }
  bool notes = false;
  for (const auto& r : j["records"]) {
    if (str(r, "notes").empty()) continue;
    if (!notes) md += "\nNotes:\n\n";
    notes = true;
    absl::StrAppend(&md, "- ", str(r, "bench"), " / ", str(r, "scenario"), ": ",
                    str(r, "notes"), "\n");
  }
  return md;
}

}  // namespace crm::testing::bench
