#include "tests/testing/load_gen.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

namespace crm::testing::bench {
namespace {

double RusageSelfSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

// utime + stime of `pid` from /proc/<pid>/stat, 0 if it cannot be read.
double ProcSeconds(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return 0;
  // The command name (field 2) may hold spaces; fields after it are plain.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> f;
  std::string tok;
  while (rest >> tok) f.push_back(tok);
  // f[0] is field 3 (state); utime and stime are fields 14 and 15.
  if (f.size() < 13) return 0;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / ticks;
}

pid_t EnvPid(const char* name) {
  const char* v = std::getenv(name);
  return v ? static_cast<pid_t>(std::atol(v)) : 0;
}

// Shared by both runners: which calls to start and what they measured.
class Run {
 public:
  explicit Run(const LoadOptions& o)
      : options_(o),
        t0_(absl::Now()),
        measure_start_(t0_ + o.warmup),
        deadline_(o.max_calls > 0 ? absl::InfiniteFuture()
                                  : measure_start_ + o.duration),
        meter_(o.server_pids) {}

  const LoadOptions& options() const { return options_; }
  absl::Time t0() const { return t0_; }
  absl::Time measure_start() const { return measure_start_; }

  // Whether a call scheduled at `at` may start; sets *measured.
  bool ShouldStart(absl::Time at, bool* measured) {
    if (stop_.load() || at >= deadline_) return Stop();
    *measured = at >= measure_start_;
    if (*measured && options_.max_calls > 0 &&
        measured_started_.fetch_add(1) >= options_.max_calls)
      return Stop();
    return true;
  }
  bool stopped() const { return stop_.load(); }
  int64_t NextSeq() { return seq_.fetch_add(1); }

  // Outstanding calls (open loop and the async runner).
  bool TryAcquire() {
    std::lock_guard<std::mutex> l(mu_);
    if (outstanding_ >= options_.in_flight) return false;
    ++outstanding_;
    return true;
  }
  void AddOutstanding() {
    std::lock_guard<std::mutex> l(mu_);
    ++outstanding_;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    if (--outstanding_ == 0) cv_.notify_all();
  }
  void WaitIdle() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return outstanding_ == 0; });
  }

  void Record(absl::Time scheduled, const grpc::Status& s) {
    const absl::Time end = absl::Now();
    std::lock_guard<std::mutex> l(mu_);
    latencies_.push_back(absl::ToDoubleMicroseconds(end - scheduled));
    last_end_ = std::max(last_end_, end);
    if (!s.ok() && errors_++ == 0)
      first_error_ = absl::StrCat(s.error_code(), ": ", s.error_message());
  }
  void Dropped() {
    std::lock_guard<std::mutex> l(mu_);
    ++dropped_;
  }

  // Sleeps until the measured part starts, then starts the CPU meter.
  void StartMeter() {
    const absl::Duration left = measure_start_ - absl::Now();
    if (left > absl::ZeroDuration()) absl::SleepFor(left);
    meter_.Restart();
  }

  LoadResult Result() {
    LoadResult r;
    r.cpu = meter_.Stop();
    std::lock_guard<std::mutex> l(mu_);
    r.calls = static_cast<int64_t>(latencies_.size());
    r.errors = errors_;
    r.dropped = dropped_;
    r.first_error = first_error_;
    const absl::Time end = std::max(last_end_, measure_start_);
    r.seconds = absl::ToDoubleSeconds(end - measure_start_);
    r.rps = r.seconds > 0 ? r.calls / r.seconds : 0;
    r.latency = Summarize(std::move(latencies_));
    return r;
  }

 private:
  Run(const Run&) = delete;
  bool Stop() {
    stop_ = true;
    return false;
  }

  const LoadOptions options_;
  const absl::Time t0_, measure_start_, deadline_;
  CpuMeter meter_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> seq_{0}, measured_started_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  int outstanding_ = 0;
  std::vector<double> latencies_;
  int64_t errors_ = 0, dropped_ = 0;
  std::string first_error_;
  absl::Time last_end_ = absl::InfinitePast();
};

// Closed loop: one chain of calls; each completion starts the next.
void Chain(Run* run, const AsyncCall* start) {
  bool measured = false;
  const absl::Time at = absl::Now();
  if (!run->ShouldStart(at, &measured)) {
    run->Release();
    return;
  }
  (*start)(run->NextSeq(), [run, start, at, measured](const grpc::Status& s) {
    if (measured) run->Record(at, s);
    Chain(run, start);
  });
}

// Open loop: start times on a fixed schedule; returns when it is over.
template <typename StartFn>
void Pace(Run* run, StartFn start_one) {
  const absl::Duration interval = absl::Seconds(1) / run->options().target_rps;
  for (int64_t k = 0;; ++k) {
    const absl::Time at = run->t0() + k * interval;
    bool measured = false;
    if (!run->ShouldStart(at, &measured)) break;
    const absl::Duration wait = at - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    if (!run->TryAcquire()) {
      if (measured) run->Dropped();
      continue;
    }
    start_one(at, measured);
  }
}

}  // namespace

CpuSample CpuMeter::Sample(const std::vector<pid_t>& server_pids) {
  CpuSample s;
  s.self_s = RusageSelfSeconds();
  s.mysql_s = ProcSeconds(EnvPid("CRM_BENCH_MYSQL_PID"));
  s.redis_s = ProcSeconds(EnvPid("CRM_BENCH_REDIS_PID"));
  for (pid_t p : server_pids) s.other_s += ProcSeconds(p);
  return s;
}

CpuMeter::CpuMeter(std::vector<pid_t> server_pids)
    : pids_(std::move(server_pids)) {
  Restart();
}

void CpuMeter::Restart() {
  start_ = Sample(pids_);
  t0_ = absl::Now();
}

CpuUse CpuMeter::Stop() const {
  const CpuSample end = Sample(pids_);
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0_);
  CpuUse u;
  if (secs <= 0) return u;
  u.self = (end.self_s - start_.self_s) / secs;
  u.mysql = (end.mysql_s - start_.mysql_s) / secs;
  u.redis = (end.redis_s - start_.redis_s) / secs;
  u.other = (end.other_s - start_.other_s) / secs;
  return u;
}

LatencyStats Summarize(std::vector<double> us) {
  LatencyStats s;
  s.n = static_cast<int64_t>(us.size());
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  auto at = [&](double p) {
    return us[static_cast<size_t>(p * static_cast<double>(us.size() - 1))];
  };
  s.p50_us = at(0.50);
  s.p90_us = at(0.90);
  s.p99_us = at(0.99);
  s.max_us = us.back();
  double sum = 0;
  for (double v : us) sum += v;
  s.mean_us = sum / static_cast<double>(us.size());
  return s;
}

LoadResult RunAsync(const LoadOptions& options, const AsyncCall& start) {
  Run run(options);
  if (options.target_rps > 0) {
    std::thread pacer([&] {
      Pace(&run, [&](absl::Time at, bool measured) {
        start(run.NextSeq(), [&run, at, measured](const grpc::Status& s) {
          if (measured) run.Record(at, s);
          run.Release();
        });
      });
    });
    run.StartMeter();
    pacer.join();
  } else {
    for (int i = 0; i < std::max(1, options.in_flight); ++i) {
      run.AddOutstanding();
      Chain(&run, &start);
    }
    run.StartMeter();
  }
  run.WaitIdle();
  return run.Result();
}

LoadResult RunSync(const LoadOptions& options, const SyncCall& call) {
  Run run(options);
  const int workers = std::max(1, options.in_flight);
  std::vector<std::thread> threads;
  if (options.target_rps > 0) {
    // The pacer queues scheduled starts; workers take them in order.
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<absl::Time, bool>> queue;
    bool done = false;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (;;) {
          std::pair<absl::Time, bool> job;
          {
            std::unique_lock<std::mutex> l(mu);
            cv.wait(l, [&] { return done || !queue.empty(); });
            if (queue.empty()) return;
            job = queue.front();
            queue.pop_front();
          }
          grpc::Status s = call(w, run.NextSeq());
          if (job.second) run.Record(job.first, s);
          run.Release();
        }
      });
    }
    std::thread pacer([&] {
      Pace(&run, [&](absl::Time at, bool measured) {
        std::lock_guard<std::mutex> l(mu);
        queue.emplace_back(at, measured);
        cv.notify_one();
      });
      std::lock_guard<std::mutex> l(mu);
      done = true;
      cv.notify_all();
    });
    run.StartMeter();
    pacer.join();
  } else {
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (;;) {
          bool measured = false;
          const absl::Time at = absl::Now();
          if (!run.ShouldStart(at, &measured)) return;
          grpc::Status s = call(w, run.NextSeq());
          if (measured) run.Record(at, s);
        }
      });
    }
    run.StartMeter();
  }
  for (auto& t : threads) t.join();
  run.WaitIdle();
  return run.Result();
}

void Print(const std::string& name, const LoadResult& r) {
  std::printf(
      "  %-44s %8lld calls %10.1f/s  p50 %9.0f us  p99 %9.0f us  cpu self "
      "%.2f mysql %.2f redis %.2f%s\n",
      name.c_str(), static_cast<long long>(r.calls), r.rps, r.latency.p50_us,
      r.latency.p99_us, r.cpu.self, r.cpu.mysql, r.cpu.redis,
      r.errors > 0
          ? absl::StrCat("  ERRORS ", r.errors, " (", r.first_error, ")")
                .c_str()
          : "");
  std::fflush(stdout);
}

}  // namespace crm::testing::bench
