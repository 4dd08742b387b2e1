// Gateway benchmark, in-process (GatewayHarness: identity, accounts and the
// gateway on loopback; MariaDB and Redis of `crmctl bench`). Run with
// `deploy/crmctl bench gateway`. Prints:
//   - direct gRPC GetAccount calls/s (generated stub, shared channel);
//   - the same RPC as JSON through the gateway (HTTP/1.1 keep-alive, one
//     connection per client thread; token check, two Redis rate-limit
//     hits, JSON <-> proto, the gRPC call);
//   - the ratio gateway / direct (target >= 0.5).
// Both run with the same client threads (8: enough to keep both paths
// busy on a small machine) for the same time, alternating over several
// rounds so load from other processes hits both alike; the figure is the
// median of the rounds' ratios. Request logging is at "warn" so stderr is
// not what is measured.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/log/log.h"
#include "tests/testing/gateway_harness.h"

namespace {

namespace pb = crm::accounts::v1;
constexpr int kThreads = 8;
constexpr absl::Duration kRun = absl::Seconds(2);
constexpr int kRounds = 5;
constexpr absl::Duration kWarmup = absl::Milliseconds(500);

// Runs `call` on kThreads threads for kWarmup + kRun; returns calls/s of
// the measured part (failed calls abort the benchmark).
template <typename MakeCaller>
double Rate(const char* name, MakeCaller make_caller) {
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<int64_t> calls{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto call = make_caller();
      while (!stop.load()) {
        if (!call()) failures.fetch_add(1);
        if (measuring.load()) calls.fetch_add(1);
      }
    });
  }
  absl::SleepFor(kWarmup);
  measuring = true;
  const absl::Time start = absl::Now();
  absl::SleepFor(kRun);
  measuring = false;
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  stop = true;
  for (auto& t : threads) t.join();
  if (failures.load() > 0) {
    std::fprintf(stderr, "%s: %lld failed calls\n", name,
                 static_cast<long long>(failures.load()));
    std::abort();
  }
  return static_cast<double>(calls.load()) / secs;
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
  auto direct_caller = [&] {
    auto stub = std::shared_ptr<pb::AccountsService::Stub>(
        pb::AccountsService::NewStub(channel));
    return [stub, &token, id] {
      grpc::ClientContext ctx;
      crm::client::Prepare(&ctx, token);
      pb::GetAccountRequest req;
      req.set_id(id);
      pb::Account out;
      return stub->GetAccount(&ctx, req, &out).ok();
    };
  };
  const std::string path = "/v1/crm.accounts.v1.AccountsService/GetAccount";
  const std::string body = absl::StrCat(R"({"id":")", id, R"("})");
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  const int port = gateway->port();
  auto gateway_caller = [&] {
    auto client = std::make_shared<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    return [client, &path, &body, &headers] {
      auto res = client->Post(path, headers, body, "application/json");
      return res && res->status == 200;
    };
  };

  std::printf("\ngateway benchmark (%d client threads, %d rounds of %.0f s)\n",
              kThreads, kRounds, absl::ToDoubleSeconds(kRun));
  std::vector<double> ratios;
  for (int r = 0; r < kRounds; ++r) {
    const double direct = Rate("direct", direct_caller);
    const double via_gateway = Rate("gateway", gateway_caller);
    ratios.push_back(via_gateway / direct);
    std::printf(
        "  round %d: direct gRPC %7.0f calls/s, gateway JSON %7.0f "
        "calls/s, ratio %.2f\n",
        r + 1, direct, via_gateway, ratios.back());
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("  median ratio gateway / direct  %.2f (target >= 0.5)\n",
              ratios[ratios.size() / 2]);
  gateway.reset();
  return 0;
}
