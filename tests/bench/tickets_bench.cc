// Tickets benchmark, in-process (TicketsHarness: tickets, orders, accounts,
// identity, MariaDB and Redis). Run with `deploy/crmctl bench tickets` or
// directly; prints CreateTicket throughput as a ratio to grpc.health.v1
// Check throughput on the same tickets server in the same run, for: a
// consultation type (accounts' GetAccount only), a repair type with a
// contract (GetAccount + orders' GetContract), and a repair of a named
// product whose coverage is checked (GetAccount, GetProduct, GetContract,
// GetQuote). Calls
// go through the shared load generator (tests/testing/load_gen.h): 4 calls
// in flight for 3 s each.
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/bench_baselines.h"
#include "tests/testing/bench_report.h"
#include "tests/testing/load_gen.h"
#include "tests/testing/tickets_harness.h"

namespace {

namespace pb = crm::tickets::v1;
using crm::testing::OrdersHarness;
using crm::testing::TicketsHarness;

namespace bench = crm::testing::bench;
constexpr int kThreads = 4;

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

  const bench::LoadOptions opts = bench::UnaryOptions(kThreads);
  const bench::LoadResult health =
      bench::RunHealthCheck(crm::client::MakeChannel(h.address()), opts);
  bench::Print("health Check", health);

  auto create = [&](const std::string& type, int64_t contract_id,
                    int64_t product_id = 0) {
    return [&, type, contract_id, product_id](int, int64_t) {
      pb::Ticket t = TicketsHarness::Draft(type, account, group);
      t.set_contract_id(contract_id);
      t.set_product_id(product_id);
      pb::Ticket out;
      return h.Create(rep.token, t, &out);
    };
  };
  const bench::LoadResult consult_r =
      bench::RunSync(opts, create("consult", 0));
  bench::Print("CreateTicket consult", consult_r);
  const bench::LoadResult repair_r =
      bench::RunSync(opts, create("repair", contract));
  bench::Print("CreateTicket repair+contract", repair_r);
  const bench::LoadResult product_r =
      bench::RunSync(opts, create("repair_product", covering, product));
  bench::Print("CreateTicket repair+product", product_r);
  for (const auto& [name, r] :
       std::vector<std::pair<std::string, bench::LoadResult>>{
           {"CreateTicket, consultation (asks accounts)", consult_r},
           {"CreateTicket, repair (asks accounts and orders)", repair_r},
           {"CreateTicket, repair of a product (coverage from quote lines)",
            product_r}}) {
    bench::BenchRecord rec = bench::FromLoad("tickets", name, r, kThreads);
    rec.dataset = "one account, two contracts, one product";
    bench::SetBaseline(&rec, bench::kHealthBaseline, health,
                       bench::RatioOf::kThroughput);
    bench::Emit(rec);
  }
  return consult_r.errors + repair_r.errors + product_r.errors > 0 ? 1 : 0;
}
