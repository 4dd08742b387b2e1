// The one load generator of the benchmark suite (tests/bench/*_bench.cc,
// `deploy/crmctl bench`; ADR 0056).
//
// RunAsync drives asynchronous gRPC calls (the callback API: no client
// thread per call). Closed loop (the default): `in_flight` calls are kept
// outstanding, each completion starts the next. Open loop (`target_rps` >
// 0): calls start on a fixed schedule whatever the server does, at most
// `in_flight` outstanding (a start that finds the cap reached is counted
// in `dropped`); latency is measured from the scheduled start, so queueing
// delay is included (no coordinated omission).
//
// RunSync does the same for blocking calls (HTTP through the gateway, raw
// Redis commands, SQL): `in_flight` worker threads.
//
// Both report throughput, latency percentiles and CPU use: of this process
// (client plus the in-process services of the harnesses, getrusage), of
// MariaDB and of Redis (/proc/<pid>/stat of CRM_BENCH_MYSQL_PID and
// CRM_BENCH_REDIS_PID, which `crmctl bench` exports), and of any other
// server process given in LoadOptions::server_pids.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace crm::testing::bench {

// CPU time of this process and of the server processes, in seconds.
struct CpuSample {
  double self_s = 0;
  double mysql_s = 0;
  double redis_s = 0;
  double other_s = 0;  // LoadOptions::server_pids, summed
};

// CPU use over an interval, in cores (1.0 = one core busy all the time).
struct CpuUse {
  double self = 0;   // this process: client + in-process services
  double mysql = 0;  // mariadbd
  double redis = 0;  // redis-server
  double other = 0;  // out-of-process servers given by pid
  double Total() const { return self + mysql + redis + other; }
};

// Measures CPU use between construction (or Restart) and Stop.
class CpuMeter {
 public:
  explicit CpuMeter(std::vector<pid_t> server_pids = {});
  void Restart();
  CpuUse Stop() const;

  static CpuSample Sample(const std::vector<pid_t>& server_pids);

 private:
  std::vector<pid_t> pids_;
  CpuSample start_;
  absl::Time t0_;
};

struct LatencyStats {
  int64_t n = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
};
LatencyStats Summarize(std::vector<double> latencies_us);

struct LoadOptions {
  // Closed loop: calls kept outstanding. Open loop: the most outstanding.
  int in_flight = 8;
  // > 0: open loop, calls started at this rate (per second).
  double target_rps = 0;
  // The measured part lasts this long ...
  absl::Duration duration = absl::Seconds(3);
  // ... or, if > 0, until this many measured calls were started.
  int64_t max_calls = 0;
  // Calls before the measured part (connections, caches, statements).
  absl::Duration warmup = absl::Milliseconds(300);
  // Out-of-process servers whose CPU use to report (CpuUse::other).
  std::vector<pid_t> server_pids;
};

struct LoadResult {
  int64_t calls = 0;    // measured calls completed
  int64_t errors = 0;   // of them, not OK
  int64_t dropped = 0;  // open loop: starts skipped at the in_flight cap
  double seconds = 0;   // measured wall time
  double rps = 0;       // calls / seconds
  LatencyStats latency;
  CpuUse cpu;
  std::string first_error;
  double p50_us() const { return latency.p50_us; }
  double p99_us() const { return latency.p99_us; }
};

// Starts call number `seq` and calls `done` exactly once when it ends (on
// any thread).
using Done = std::function<void(const grpc::Status&)>;
using AsyncCall = std::function<void(int64_t seq, Done done)>;
LoadResult RunAsync(const LoadOptions& options, const AsyncCall& start);

// One blocking call on worker `worker` (0 .. in_flight-1).
using SyncCall = std::function<grpc::Status(int worker, int64_t seq)>;
LoadResult RunSync(const LoadOptions& options, const SyncCall& call);

// The state of one asynchronous unary call, kept alive (shared_ptr) until
// its callback ran:
//   auto c = std::make_shared<Unary<Req, Resp>>();
//   crm::client::Prepare(&c->ctx, token);
//   c->req.set_id(id);
//   stub.async()->GetAccount(&c->ctx, &c->req, &c->resp,
//                            [c, done](grpc::Status s) { done(s); });
template <typename Req, typename Resp>
struct Unary {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
};

// Prints one line ("name: N calls, X/s, p50 .., p99 .., cpu ..") to stdout.
void Print(const std::string& name, const LoadResult& r);

}  // namespace crm::testing::bench
