// Orders benchmarks, in-process (OrdersHarness: orders beside accounts and
// identity, on the MariaDB and Redis of `crmctl bench`). Run with
// `deploy/crmctl bench orders`. Figures are printed at the end:
//   - GetLeaderboard (top 50 + my rank + rank changes) over gRPC, on a
//     month board of 10,000 reps (and the previous month's), against a raw
//     Redis ZREVRANGE 0 49 WITHSCORES on the same board in the same run:
//     p99 ratio one call at a time, throughput ratio at 8 in flight (the
//     shared load generator, tests/testing/load_gen.h); also
//     Leaderboards::Read without gRPC;
//   - GetBusinessSummary over bulk-loaded contracts, installments and
//     payments (CRM_ORDERS_BENCH_CONTRACTS contracts, default 1,000,000
//     times CRM_BENCH_SCALE, the figure, and five payments per
//     contract), for the whole company and for one team (1% of the data),
//     p50/p99 of repeated calls, against grpc.health.v1 Check (in-process
//     identity server, one call at a time).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/orders/domain/leaderboard_keys.h"
#include "services/orders/domain/periods.h"
#include "services/orders/leaderboards.h"
#include "tests/testing/bench_baselines.h"
#include "tests/testing/bench_report.h"
#include "tests/testing/load_gen.h"
#include "tests/testing/orders_harness.h"

namespace {

namespace pb = crm::orders::v1;
using crm::testing::OrdersHarness;

namespace bench = crm::testing::bench;
constexpr int kBoardUsers = 10000;
constexpr int kSummaryCalls = 20;

std::map<std::string, double>& Figures() {
  static std::map<std::string, double> f;
  return f;
}

OrdersHarness& H() {
  static OrdersHarness h;
  return h;
}

int64_t Contracts() {
  const char* env = std::getenv("CRM_ORDERS_BENCH_CONTRACTS");
  int64_t n = env ? std::atoll(env) : 0;
  return n > 0 ? n : bench::Scaled(1000000);
}

void Sql(const std::string& sql) {
  auto conn = H().schema().Pool()->Borrow();
  if (!conn.ok()) std::abort();
  absl::Status s = (*conn)->ExecRaw(sql);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", sql.substr(0, 300).c_str(),
                 s.ToString().c_str());
    std::abort();
  }
}

void LeaderboardRead(benchmark::State& state) {
  for (auto _ : state) {
    auto& h = H();
    auto me = h.User("bench.me", "e1", "sales_rep");
    const std::string e1 = h.Path("e1");
    const absl::CivilDay today = h.calendar().DayOf(h.clock().Now());
    crm::orders::Leaderboards boards(h.redis());
    std::mt19937_64 rng(7);
    // This month's and last month's boards, 10,000 reps over 20 teams.
    for (const absl::CivilDay day :
         {today, absl::CivilDay(absl::CivilMonth(today) - 1)}) {
      for (int u = 1; u <= kBoardUsers; ++u) {
        const int64_t user = u == 1 ? me.user_id : 1000000 + u;
        const std::string path =
            u == 1 ? e1 : absl::StrCat(h.Path("east"), 500 + u % 20, "/");
        absl::Status s = boards.Bump(crm::orders::BoardMetric::kSigned, day,
                                     user, path, 1 + rng() % 10000000);
        if (!s.ok()) std::abort();
      }
      // Filled by Bump alone: mark the boards built (ADR 0095), or the
      // first read would rebuild them from the (empty) database.
      for (auto metric : {crm::orders::BoardMetric::kSigned,
                          crm::orders::BoardMetric::kReceived}) {
        if (!boards
                 .MarkReady(metric, crm::orders::PeriodContaining(
                                        crm::orders::PeriodKind::kMonth, day))
                 .ok())
          std::abort();
      }
    }
    const std::string key = h.redis()->Key(crm::orders::UserBoardKey(
        crm::orders::BoardTag(crm::orders::BoardMetric::kSigned,
                              crm::orders::PeriodContaining(
                                  crm::orders::PeriodKind::kMonth, today))));
    pb::GetLeaderboardRequest req;
    req.set_metric(pb::METRIC_SIGNED_AMOUNT);
    req.set_period_kind(pb::PERIOD_KIND_MONTH);
    req.set_top_n(50);
    const crm::orders::Period month =
        crm::orders::PeriodContaining(crm::orders::PeriodKind::kMonth, today);
    auto raw = [&](int, int64_t) {
      auto r = h.redis()->Command({"ZREVRANGE", key, "0", "49", "WITHSCORES"});
      if (!r.ok() || r->elements.size() != 100)
        return grpc::Status(grpc::StatusCode::INTERNAL, "ZREVRANGE");
      return grpc::Status::OK;
    };
    auto direct = [&](int, int64_t) {
      auto b = boards.Read(crm::orders::BoardMetric::kSigned, month, "", 50,
                           absl::StrCat(me.user_id));
      if (!b.ok() || b->top.size() != 50)
        return grpc::Status(grpc::StatusCode::INTERNAL, "Leaderboards::Read");
      return grpc::Status::OK;
    };
    auto rpc = [&](int64_t, bench::Done done) {
      auto c = std::make_shared<
          bench::Unary<pb::GetLeaderboardRequest, pb::Leaderboard>>();
      crm::client::Prepare(&c->ctx, me.token);
      c->req = req;
      h.stub().async()->GetLeaderboard(
          &c->ctx, &c->req, &c->resp, [c, done](grpc::Status s) {
            if (s.ok() &&
                (c->resp.entries_size() != 50 || c->resp.me().rank() == 0))
              s = grpc::Status(grpc::StatusCode::INTERNAL, "wrong board");
            done(s);
          });
    };
    const std::string data =
        absl::StrCat(bench::Thousands(kBoardUsers), " reps on the board");
    auto& f = Figures();
    for (int in_flight : {1, 8}) {
      const bench::LoadOptions o = bench::UnaryOptions(in_flight);
      const bench::LoadResult r_raw = bench::RunSync(o, raw);
      const bench::LoadResult r_direct = bench::RunSync(o, direct);
      const bench::LoadResult r_rpc = bench::RunAsync(o, rpc);
      const bench::RatioOf ratio_of =
          in_flight == 1 ? bench::RatioOf::kP99 : bench::RatioOf::kThroughput;
      for (const auto& [name, r] :
           std::vector<std::pair<std::string, bench::LoadResult>>{
               {"GetLeaderboard top 50 + my rank (gRPC)", r_rpc},
               {"Leaderboards::Read top 50 + my rank (no gRPC)", r_direct}}) {
        bench::BenchRecord rec = bench::FromLoad("orders", name, r, in_flight);
        rec.dataset = data;
        bench::SetBaseline(&rec, "raw ZREVRANGE 0 49 WITHSCORES", r_raw,
                           ratio_of);
        bench::Emit(rec);
        if (r.errors > 0) state.SkipWithError(r.first_error.c_str());
      }
      if (in_flight == 1) {
        f["lb_rpc_p50"] = r_rpc.p50_us();
        f["lb_rpc_p99"] = r_rpc.p99_us();
        f["lb_direct_p50"] = r_direct.p50_us();
        f["lb_direct_p99"] = r_direct.p99_us();
        f["lb_raw_p50"] = r_raw.p50_us();
        f["lb_raw_p99"] = r_raw.p99_us();
      }
    }
    state.counters["rpc_p99_us"] = f["lb_rpc_p99"];
    state.counters["raw_p99_us"] = f["lb_raw_p99"];
  }
}

void BusinessSummary(benchmark::State& state) {
  for (auto _ : state) {
    auto& h = H();
    const int64_t n = Contracts();
    h.User("bench.boss", "root", "boss");
    const std::string root = h.Path("root");
    const absl::CivilDay today = h.calendar().DayOf(h.clock().Now());
    // Owners: 1,000 reps in 100 teams in 10 regions under the real root;
    // contract k belongs to rep k % 1000 of team (k % 1000) % 100.
    const std::string path_of = absl::StrCat(
        "CONCAT('", root, "', 900 + MOD(MOD(MOD(@K, 1000), 100), 10), '/', ",
        "10000 + MOD(MOD(@K, 1000), 100), '/')");
    auto path = [&](const std::string& k) {
      std::string p = path_of;
      size_t at;
      while ((at = p.find("@K")) != std::string::npos) p.replace(at, 2, k);
      return p;
    };
    const absl::Time load_start = absl::Now();
    Sql("SET SESSION unique_checks = 0");
    // Contracts signed over the last 24 months (by seq), 30% renewals,
    // ending 0..24 months after the start.
    for (int64_t from = 1; from <= n; from += 25000) {
      const int64_t to = std::min(n, from + 24999);
      Sql(absl::StrCat(
          "INSERT INTO contracts (account_id, customer_type, owner_id, "
          "owner_org_path, title, amount_minor, currency, start_date, "
          "end_date, contract_type, predecessor_contract_id, status, "
          "signed_at, received_minor, created_by, created_at, updated_at) "
          "SELECT seq, 1 + (seq % 7 = 0), 2000000 + seq % 1000, ",
          path("seq"),
          ", 'bench', 100000 + seq % 900000, 'CNY', "
          "UTC_DATE() - INTERVAL seq % 730 DAY, UTC_DATE() - INTERVAL seq % "
          "730 DAY + INTERVAL 365 DAY, 1 + (seq % 10 < 3), IF(seq % 10 < 3 AND "
          "seq > 1000, seq - 1000, 0), 5, UTC_TIMESTAMP(6) - INTERVAL seq % "
          "730 DAY, 0, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_",
          from, "_to_", to));
      Sql(absl::StrCat(
          "INSERT INTO installments (contract_id, seq, due_date, "
          "amount_minor, paid_minor, overdue, owner_id, owner_org_path, "
          "signed) SELECT seq, 0, UTC_DATE() - INTERVAL seq % 730 DAY + "
          "INTERVAL 30 DAY, 100000 + seq % 900000, IF(seq % 4 = 0, 0, 100000 "
          "+ seq % 900000), 0, 2000000 + seq % 1000, ",
          path("seq"), ", 1 FROM seq_", from, "_to_", to));
    }
    // Five payments per contract, received over the last 24 months.
    const int64_t payments = 5 * n;
    for (int64_t from = 1; from <= payments; from += 50000) {
      const int64_t to = std::min(payments, from + 49999);
      Sql(absl::StrCat(
          "INSERT INTO payments (contract_id, reference, amount_minor, "
          "received_date, method, owner_id, owner_org_path, recorded_by, "
          "created_at) SELECT 1 + seq % ",
          n,
          ", CONCAT('B', seq), 20000 + seq % 100000, UTC_DATE() - INTERVAL "
          "seq % 730 DAY, 'bank', 2000000 + (1 + seq % ",
          n, ") % 1000, ", path(absl::StrCat("(1 + seq % ", n, ")")),
          ", 1, UTC_TIMESTAMP(6) FROM seq_", from, "_to_", to));
    }
    {
      // ANALYZE returns rows: run it as a query, not through ExecRaw.
      auto conn = h.schema().Pool()->Borrow();
      if (!conn.ok() ||
          !(*conn)
               ->Query("ANALYZE TABLE contracts, installments, payments")
               .ok())
        std::abort();
    }
    auto& f = Figures();
    f["load_s"] = absl::ToDoubleSeconds(absl::Now() - load_start);
    // Log in again: a long load outlives the first token.
    const auto boss = h.User("bench.boss", "root", "boss");

    const std::string team = absl::StrCat(root, 900 + 7, "/", 10000 + 17, "/");
    const std::string period = crm::orders::PeriodContaining(
                                   crm::orders::PeriodKind::kMonth,
                                   absl::CivilDay(absl::CivilMonth(today) - 1))
                                   .key;
    const bench::LoadResult health = bench::RunHealthCheck(
        crm::client::MakeChannel(h.accounts().identity().address()),
        bench::UnaryOptions(1));
    for (const auto& [name, org] :
         std::vector<std::pair<std::string, std::string>>{{"company", root},
                                                          {"team", team}}) {
      pb::BusinessSummary out;
      bench::LoadOptions o;
      o.in_flight = 1;
      o.max_calls = kSummaryCalls;
      o.warmup = absl::ZeroDuration();
      const bench::LoadResult r = bench::RunSync(o, [&](int, int64_t) {
        grpc::ClientContext ctx;
        crm::client::Prepare(&ctx, boss.token, absl::Minutes(5));
        pb::GetBusinessSummaryRequest req;
        req.set_org_path(org);
        req.set_period(period);
        return h.stub().GetBusinessSummary(&ctx, req, &out);
      });
      if (r.errors > 0) {
        std::fprintf(stderr, "GetBusinessSummary: %s\n", r.first_error.c_str());
        state.SkipWithError(r.first_error.c_str());
        return;
      }
      f[name + "_p50"] = r.p50_us() / 1000;
      f[name + "_p99"] = r.p99_us() / 1000;
      f[name + "_contracts"] = static_cast<double>(out.contracts_signed());
      state.counters[name + "_p50_ms"] = f[name + "_p50"];
      bench::BenchRecord rec = bench::FromLoad(
          "orders",
          name == "company" ? "GetBusinessSummary, company, last month"
                            : "GetBusinessSummary, one team (1%), last month",
          r, 1);
      rec.dataset = absl::StrCat(bench::Thousands(n), " contracts, ",
                                 bench::Thousands(5 * n), " payments");
      bench::SetBaseline(&rec, bench::kHealthBaseline, health,
                         bench::RatioOf::kP50);
      bench::Emit(rec);
    }
  }
}

BENCHMARK(LeaderboardRead)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BusinessSummary)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& f = Figures();
  std::printf("\norders benchmark figures (this run):\n");
  std::printf(
      "  GetLeaderboard top 50 + me (gRPC), %d reps: p50 %7.0f us  p99 %7.0f "
      "us\n",
      kBoardUsers, f["lb_rpc_p50"], f["lb_rpc_p99"]);
  std::printf(
      "  Leaderboards::Read (no gRPC):               p50 %7.0f us  p99 %7.0f "
      "us\n",
      f["lb_direct_p50"], f["lb_direct_p99"]);
  std::printf(
      "  raw ZREVRANGE 0 49 WITHSCORES:              p50 %7.0f us  p99 %7.0f "
      "us\n",
      f["lb_raw_p50"], f["lb_raw_p99"]);
  if (f["lb_raw_p99"] > 0) {
    std::printf("  ratio p99 GetLeaderboard / ZREVRANGE:       %7.2f\n",
                f["lb_rpc_p99"] / f["lb_raw_p99"]);
    std::printf("  ratio p99 Leaderboards::Read / ZREVRANGE:   %7.2f\n",
                f["lb_direct_p99"] / f["lb_raw_p99"]);
  }
  std::printf(
      "  bulk load of %lld contracts (+ installments) and %lld payments: "
      "%.1f s\n",
      static_cast<long long>(Contracts()),
      static_cast<long long>(5 * Contracts()), f["load_s"]);
  std::printf(
      "  GetBusinessSummary, company, last month:   p50 %7.1f ms  p99 %7.1f "
      "ms (%.0f contracts signed)\n",
      f["company_p50"], f["company_p99"], f["company_contracts"]);
  std::printf(
      "  GetBusinessSummary, one team, last month:  p50 %7.1f ms  p99 %7.1f "
      "ms (%.0f contracts signed)\n",
      f["team_p50"], f["team_p99"], f["team_contracts"]);
  return 0;
}
