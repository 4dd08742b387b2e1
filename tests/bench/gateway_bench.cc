// Gateway benchmark, in-process (GatewayHarness: identity, accounts and the
// gateway on loopback; MariaDB and Redis of `crmctl bench`). Run with
// `deploy/crmctl bench gateway`. Prints:
//   - direct gRPC GetAccount calls/s (generated stub, shared channel);
//   - the same RPC as JSON through the gateway (HTTP/1.1 keep-alive, one
//     connection per client thread; token check, two Redis rate-limit
//     hits, JSON <-> proto, the gRPC call);
//   - the ratio gateway / direct (target >= 0.5).
// Both run through the shared load generator (tests/testing/load_gen.h;
// direct: asynchronous gRPC, 8 calls in flight; gateway: 8 client threads)
// for the same time, alternating over several rounds so load from other
// processes hits both alike; the figure is the median of the rounds'
// ratios, and the median round is the one recorded (with direct gRPC
// against grpc.health.v1 Check on the accounts server, same run). Request
// logging is at "warn" so stderr is not what is measured.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/log/log.h"
#include "tests/testing/bench_baselines.h"
#include "tests/testing/bench_report.h"
#include "tests/testing/gateway_harness.h"
#include "tests/testing/load_gen.h"

namespace {

namespace pb = crm::accounts::v1;
namespace bench = crm::testing::bench;
constexpr int kThreads = 8;
constexpr absl::Duration kRun = absl::Seconds(2);
constexpr int kRounds = 5;
constexpr absl::Duration kWarmup = absl::Milliseconds(500);

bench::LoadOptions Options() {
  bench::LoadOptions o;
  o.in_flight = kThreads;
  o.duration = kRun;
  o.warmup = kWarmup;
  return o;
}

void Check(const char* name, const bench::LoadResult& r) {
  if (r.errors > 0) {
    std::fprintf(stderr, "%s: %lld failed calls (%s)\n", name,
                 static_cast<long long>(r.errors), r.first_error.c_str());
    std::abort();
  }
}

}  // namespace

int main() {
  crm::testing::GatewayHarness h;
  crm::gateway::GatewaySettings settings = h.Settings();
  settings.limits.per_ip = 100000000;
  settings.limits.per_user = 100000000;
  settings.http_threads = 16;
  auto gateway = h.Start(settings);
  const std::string token =
      h.accounts().User("bench.rep", "e1", "sales_rep").token;
  const int64_t id = h.accounts().CreateAccountOk(
      token, crm::testing::CompanyDraft("上海基准测试有限公司",
                                        crm::testing::CreditCode(424242)));
  crm::log::SetLevel("warn");

  auto channel = crm::client::MakeChannel(h.accounts_address());
  std::shared_ptr<pb::AccountsService::Stub> stub =
      pb::AccountsService::NewStub(channel);
  auto direct_call = [&](int64_t, bench::Done done) {
    auto c =
        std::make_shared<bench::Unary<pb::GetAccountRequest, pb::Account>>();
    crm::client::Prepare(&c->ctx, token);
    c->req.set_id(id);
    stub->async()->GetAccount(&c->ctx, &c->req, &c->resp,
                              [c, done](grpc::Status s) { done(s); });
  };
  const std::string path = "/v1/crm.accounts.v1.AccountsService/GetAccount";
  const std::string body = absl::StrCat(R"({"id":")", id, R"("})");
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  const int port = gateway->port();
  // One keep-alive connection per client thread.
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    clients.back()->set_keep_alive(true);
    clients.back()->set_tcp_nodelay(true);
  }
  auto gateway_call = [&](int worker, int64_t) {
    auto res = clients[worker]->Post(path, headers, body, "application/json");
    if (res && res->status == 200) return grpc::Status::OK;
    return grpc::Status(
        grpc::StatusCode::UNKNOWN,
        res ? absl::StrCat("HTTP ", res->status) : std::string("no response"));
  };

  std::printf("\ngateway benchmark (%d client threads, %d rounds of %.0f s)\n",
              kThreads, kRounds, absl::ToDoubleSeconds(kRun));
  const bench::LoadResult health = bench::RunHealthCheck(channel, Options());
  bench::Print("health Check (accounts server)", health);
  struct Round {
    bench::LoadResult direct, via_gateway;
    double ratio;
  };
  std::vector<Round> rounds;
  for (int r = 0; r < kRounds; ++r) {
    Round round;
    round.direct = bench::RunAsync(Options(), direct_call);
    Check("direct", round.direct);
    round.via_gateway = bench::RunSync(Options(), gateway_call);
    Check("gateway", round.via_gateway);
    round.ratio = round.via_gateway.rps / round.direct.rps;
    std::printf(
        "  round %d: direct gRPC %7.0f calls/s, gateway JSON %7.0f "
        "calls/s, ratio %.2f\n",
        r + 1, round.direct.rps, round.via_gateway.rps, round.ratio);
    rounds.push_back(round);
  }
  std::sort(rounds.begin(), rounds.end(),
            [](const Round& a, const Round& b) { return a.ratio < b.ratio; });
  const Round& median = rounds[rounds.size() / 2];
  std::printf("  median ratio gateway / direct  %.2f (target >= 0.5)\n",
              median.ratio);
  bench::BenchRecord rec = bench::FromLoad(
      "gateway", "GetAccount as JSON through the gateway (HTTP/1.1)",
      median.via_gateway, kThreads);
  rec.dataset = "one account; median of 5 alternating rounds";
  bench::SetBaseline(&rec, "the same RPC, direct gRPC", median.direct,
                     bench::RatioOf::kThroughput);
  bench::Emit(rec);
  rec = bench::FromLoad("gateway", "GetAccount, direct gRPC", median.direct,
                        kThreads);
  rec.dataset = "one account";
  bench::SetBaseline(&rec, bench::kHealthBaseline, health,
                     bench::RatioOf::kThroughput);
  bench::Emit(rec);
  clients.clear();
  gateway.reset();
  return 0;
}
