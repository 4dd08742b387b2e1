// Login latency against the grpc.health.v1 Check latency of the same server
// in the same run (so the figure is a ratio, not a machine-dependent time).
// Run with `deploy/crmctl bench login`.
//
// Login is dominated by argon2id: the production default cost (64 MiB,
// 2 passes) is measured, and the cheapest cost too, to show what the rest of
// the path (MySQL lookup, token signing, refresh-token insert) costs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "common/client/client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/bench_report.h"
#include "tests/testing/identity_harness.h"
#include "tests/testing/load_gen.h"

namespace {

using crm::testing::IdentityHarness;

std::map<std::string, std::vector<double>>& Samples() {
  static std::map<std::string, std::vector<double>> samples;
  return samples;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

IdentityHarness& Harness(bool production_cost) {
  static IdentityHarness cheap;
  static IdentityHarness real{crm::identity::PasswordCost{}};
  return production_cost ? real : cheap;
}

template <typename Fn>
void Measure(benchmark::State& state, const std::string& name, Fn&& call) {
  std::vector<double>& samples = Samples()[name];
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    grpc::Status s = call();
    samples.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!s.ok()) state.SkipWithError(s.error_message().c_str());
  }
  state.counters["median_us"] = Median(samples);
}

void BM_HealthCheck(benchmark::State& state) {
  IdentityHarness& h = Harness(false);
  auto health =
      grpc::health::v1::Health::NewStub(crm::client::MakeChannel(h.address()));
  Measure(state, "health", [&] {
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, "");
    grpc::health::v1::HealthCheckResponse resp;
    return health->Check(&ctx, {}, &resp);
  });
}

void Login(benchmark::State& state, bool production_cost,
           const std::string& name) {
  IdentityHarness& h = Harness(production_cost);
  Measure(state, name, [&] {
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, "");
    crm::identity::v1::LoginRequest req;
    req.set_username("admin");
    req.set_password(crm::testing::kAdminPassword);
    crm::identity::v1::LoginResponse resp;
    return h.stub().Login(&ctx, req, &resp);
  });
}

void BM_LoginProductionCost(benchmark::State& state) {
  Login(state, true, "login_default_cost");
}
void BM_LoginMinimumCost(benchmark::State& state) {
  Login(state, false, "login_minimum_cost");
}

void BM_WhoAmI(benchmark::State& state) {
  IdentityHarness& h = Harness(false);
  const std::string token = h.AdminToken();
  Measure(state, "whoami", [&] {
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, token);
    crm::common::v1::Principal me;
    return h.stub().WhoAmI(&ctx, {}, &me);
  });
}

BENCHMARK(BM_HealthCheck)->Iterations(3000)->UseRealTime();
BENCHMARK(BM_WhoAmI)->Iterations(3000)->UseRealTime();
BENCHMARK(BM_LoginMinimumCost)->Iterations(300)->UseRealTime();
BENCHMARK(BM_LoginProductionCost)->Iterations(40)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  const double health = Median(Samples()["health"]);
  std::printf(
      "\nmedian latency, ratio to grpc.health.v1 Check (%.0f us) in this "
      "run:\n",
      health);
  for (const char* name :
       {"whoami", "login_minimum_cost", "login_default_cost"}) {
    const double m = Median(Samples()[name]);
    std::printf("  %-20s %10.0f us  x%.1f\n", name, m,
                health > 0 ? m / health : 0);
    // One call at a time (google-benchmark iterations): throughput is
    // 1 / mean latency.
    namespace bench = crm::testing::bench;
    const bench::LatencyStats st = bench::Summarize(Samples()[name]);
    const bench::LatencyStats hs = bench::Summarize(Samples()["health"]);
    bench::BenchRecord rec;
    rec.bench = "identity";
    rec.scenario = std::string(name) == "whoami" ? "WhoAmI"
                   : std::string(name) == "login_minimum_cost"
                       ? "Login, cheapest argon2id cost"
                       : "Login, production argon2id cost (64 MiB, 2 passes)";
    rec.throughput = st.mean_us > 0 ? 1e6 / st.mean_us : 0;
    rec.p50_us = st.p50_us;
    rec.p99_us = st.p99_us;
    rec.calls = st.n;
    rec.in_flight = 1;
    rec.baseline = "grpc.health.v1 Check";
    rec.baseline_throughput = hs.mean_us > 0 ? 1e6 / hs.mean_us : 0;
    rec.baseline_p50_us = hs.p50_us;
    rec.baseline_p99_us = hs.p99_us;
    rec.ratio_of = bench::RatioOf::kP50;
    rec.notes = "google-benchmark loop, one call at a time; CPU not measured";
    bench::Emit(rec);
  }
  return 0;
}
