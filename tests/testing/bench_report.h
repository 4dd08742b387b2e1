// The result record every benchmark emits, and the report `deploy/crmctl
// bench` builds from them (build/bench/results.md and results.json; ADR
// 0057).
//
// Emit() prints the record and, when CRM_BENCH_OUT names a file, appends
// it there as one JSON line. tools/bench/bench_report_main.cc
// (crm-bench-report) turns those lines into the Markdown table and the
// JSON report, with the machine and the MariaDB durability setting.
//
// Data-set sizes follow CRM_BENCH_SCALE (default 1: the sizes the issues
// name, up to 1,000,000 rows); e.g. CRM_BENCH_SCALE=0.05 for a quick run.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/load_gen.h"

namespace crm::testing::bench {

// How `ratio` compares the scenario with its baseline.
enum class RatioOf {
  kNone,        // no baseline
  kThroughput,  // throughput / baseline throughput (1 = as fast)
  kP50,         // p50 / baseline p50 (1 = as fast; 10 = 10x slower)
  kP99,         // p99 / baseline p99
};

struct BenchRecord {
  std::string bench;             // the binary: "accounts", "orders", ...
  std::string scenario;          // "ClaimAccount, distinct accounts"
  std::string unit = "calls/s";  // of throughput: calls/s or rows/s
  double throughput = 0;
  double p50_us = 0, p99_us = 0;  // 0: not measured (e.g. a bulk import)
  int64_t calls = 0, errors = 0;
  int in_flight = 0;      // concurrency of the measurement (0: n/a)
  double target_rps = 0;  // open loop: the rate asked for
  std::string baseline;   // "grpc.health.v1 Check", "ZREVRANGE ..."
  double baseline_throughput = 0, baseline_p50_us = 0, baseline_p99_us = 0;
  RatioOf ratio_of = RatioOf::kNone;
  double ratio = 0;  // filled by Emit from the figures above
  CpuUse cpu;
  std::string dataset;  // "1,000,000 opportunities"
  std::string notes;
};

// A record of one load-generator result, optionally against a baseline
// result measured in the same run.
BenchRecord FromLoad(const std::string& bench, const std::string& scenario,
                     const LoadResult& r, int in_flight);
void SetBaseline(BenchRecord* rec, const std::string& name, const LoadResult& b,
                 RatioOf ratio_of);

// Computes the ratio, prints the record and appends it to $CRM_BENCH_OUT.
void Emit(BenchRecord rec);

nlohmann::json ToJson(const BenchRecord& rec);

// CRM_BENCH_SCALE (default 1, must be > 0).
double Scale();
// `n` scaled by Scale(), at least `min`.
int64_t Scaled(int64_t n, int64_t min = 1000);
// "1,000,000".
std::string Thousands(int64_t n);

// The report: `records` (as emitted) plus run facts, as Markdown and JSON.
struct RunInfo {
  std::string started_at;       // UTC, ISO 8601
  double elapsed_s = 0;         // the whole `crmctl bench`
  std::string flush_log = "?";  // innodb_flush_log_at_trx_commit
  std::string mariadb_version;  // SELECT VERSION()
  std::string buffer_pool;      // innodb_buffer_pool_size
  std::string filter;           // crmctl bench FILTER, if any
  std::string git_commit;
  std::vector<std::string> failed;  // bench binaries that exited non-zero
};
struct Machine {
  int nproc = 0;
  std::string cpu_model;
  double ram_gib = 0;
  std::string kernel;
};
Machine ThisMachine();
nlohmann::json ReportJson(const std::vector<nlohmann::json>& records,
                          const RunInfo& run, const Machine& machine);
std::string ReportMarkdown(const nlohmann::json& report);

}  // namespace crm::testing::bench
