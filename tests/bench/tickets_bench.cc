// Tickets benchmark, in-process (TicketsHarness: tickets, orders, accounts,
// identity, MariaDB and Redis). Run with `deploy/crmctl bench tickets` or
// directly; prints CreateTicket throughput (4 client threads) as a ratio to
// grpc.health.v1 Check throughput on the same tickets server in the same
// run, for: a consultation type (accounts' GetAccount only), a repair type
// with a contract (GetAccount + orders' GetContract), and a repair of a
// named product whose coverage is checked (GetAccount, GetProduct,
// GetContract, GetQuote).
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/tickets_harness.h"

namespace {

namespace pb = crm::tickets::v1;
using crm::testing::OrdersHarness;
using crm::testing::TicketsHarness;

constexpr int kThreads = 4;
constexpr int kHealthCallsPerThread = 1500;
constexpr int kCreateCallsPerThread = 250;

template <typename Fn>
double Throughput(int threads, int per_thread, Fn&& call) {
  std::atomic<int> errors{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        grpc::Status s = call(t, i);
        if (!s.ok() && errors++ == 0)
          std::fprintf(stderr, "first failure: %s\n",
                       s.error_message().c_str());
      }
    });
  }
  for (auto& th : pool) th.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (errors > 0) std::fprintf(stderr, "%d calls failed\n", errors.load());
  return threads * per_thread / secs;
}

}  // namespace

int main() {
  TicketsHarness h;
  pb::TicketType consult;
  consult.set_key("consult");
  consult.set_name("Consultation");
  pb::TicketType repair;
  repair.set_key("repair");
  repair.set_name("Repair");
  repair.set_requires_contract(true);
  pb::TicketType product_repair = repair;
  product_repair.set_key("repair_product");
  product_repair.set_requires_product(true);
  if (!h.UpsertType(consult).ok() || !h.UpsertType(repair).ok() ||
      !h.UpsertType(product_repair).ok())
    return 1;
  auto rep = h.User("bench.rep", "e1", "sales_rep");
  const int64_t group = h.Group("bench-support", "east");
  const int64_t account = h.orders().Account(rep.token, "Bench Co");
  const std::string year =
      absl::FormatTime("%Y", absl::Now(), absl::UTCTimeZone());
  const int64_t contract =
      h.orders()
          .SignedContract(
              rep.token, OrdersHarness::Draft(account, 100000, 1,
                                              year + "-01-01", year + "-12-31"))
          .id();
  const int64_t product = h.Product("BENCH-1");
  const int64_t covering =
      h.ContractFromQuote(rep.token, h.Quote(rep.token, account, {product}),
                          year)
          .id();

  auto health =
      grpc::health::v1::Health::NewStub(crm::client::MakeChannel(h.address()));
  auto check = [&](int, int) {
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, "");
    grpc::health::v1::HealthCheckResponse r;
    return health->Check(&ctx, {}, &r);
  };
  (void)Throughput(1, 100, check);  // warm-up
  const double health_rps = Throughput(kThreads, kHealthCallsPerThread, check);

  auto create = [&](const std::string& type, int64_t contract_id,
                    int64_t product_id = 0) {
    return [&, type, contract_id, product_id](int, int) {
      pb::Ticket t = TicketsHarness::Draft(type, account, group);
      t.set_contract_id(contract_id);
      t.set_product_id(product_id);
      pb::Ticket out;
      return h.Create(rep.token, t, &out);
    };
  };
  const double consult_rps =
      Throughput(kThreads, kCreateCallsPerThread, create("consult", 0));
  const double repair_rps =
      Throughput(kThreads, kCreateCallsPerThread, create("repair", contract));
  const double product_rps =
      Throughput(kThreads, kCreateCallsPerThread,
                 create("repair_product", covering, product));

  std::printf("tickets bench (%d client threads)\n", kThreads);
  std::printf("  health Check                 %10.0f rps\n", health_rps);
  std::printf("  CreateTicket consult         %10.0f rps   ratio %.3f\n",
              consult_rps, health_rps > 0 ? consult_rps / health_rps : 0);
  std::printf("  CreateTicket repair+contract %10.0f rps   ratio %.3f\n",
              repair_rps, health_rps > 0 ? repair_rps / health_rps : 0);
  std::printf("  CreateTicket repair+product  %10.0f rps   ratio %.3f\n",
              product_rps, health_rps > 0 ? product_rps / health_rps : 0);
  return 0;
}
