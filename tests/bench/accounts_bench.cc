// Accounts benchmarks, in-process (AccountsHarness: the service, identity,
// MariaDB and Redis of `crmctl bench`). Run with `deploy/crmctl bench
// accounts`. Figures are printed at the end:
//   - ClaimAccount throughput on distinct accounts (the shared load
//     generator, 1 and 4 calls in flight by as many reps, each call a
//     different pooled account) against grpc.health.v1 Check on the
//     in-process identity server (same server stack) in the same run;
//   - ClaimAccount latency under contention: 16 reps claim the same account
//     at once (one wins, 15 get ABORTED/FAILED_PRECONDITION), many rounds;
//     p50/p99 of all calls, against health Check p50/p99 at 16 in flight;
//   - ImportAccounts rows/s for 100,000 generated CSV rows (scaled by
//     CRM_BENCH_SCALE) streamed through
//     the service (and the growth of this process's peak RSS while it
//     runs: the service must not hold the file), as a ratio to a raw
//     multi-row INSERT (1000 rows per statement) of the same rows into a
//     copy of the accounts table in the same run;
//   - RunRecycle over 1,000,000 private accounts (CRM_BENCH_SCALE; bulk-loaded
//   with
//     INSERT ... SELECT FROM seq_1_to_1000000), 10% of them stale: seconds
//     and accounts scanned per second.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/bench_baselines.h"
#include "tests/testing/bench_report.h"
#include "tests/testing/load_gen.h"

namespace {

namespace pb = crm::accounts::v1;
using crm::testing::AccountsHarness;

namespace bench = crm::testing::bench;
const int kImportRows = static_cast<int>(bench::Scaled(100000));
constexpr int kDistinctSeeded = 30000;
constexpr int kContentionThreads = 16;
constexpr int kContentionRounds = 60;

std::map<std::string, double>& Figures() {
  static std::map<std::string, double> f;
  return f;
}

AccountsHarness& H() {
  static AccountsHarness h;
  return h;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1));
  return v[i];
}

std::string CreditCode(int n) {
  std::string first17 = absl::StrCat("91320000MA2", absl::StrFormat("%06d", n));
  return first17 + *crm::validate::CreditCodeCheckChar(first17);
}

void Sql(const std::string& sql) {
  auto conn = H().schema().Pool()->Borrow();
  if (!conn.ok()) std::abort();
  absl::Status s = (*conn)->ExecRaw(sql);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", sql.substr(0, 200).c_str(),
                 s.ToString().c_str());
    std::abort();
  }
}

int64_t Scalar(const std::string& sql) {
  auto conn = H().schema().Pool()->Borrow();
  auto row = (*conn)->QueryOne(sql, {}, "scalar");
  return row.ok() ? row->Int("c") : -1;
}

grpc::Status Import(const std::string& token, const std::string& csv,
                    pb::ImportAccountsResponse* resp) {
  grpc::ClientContext ctx;
  // A 100k-row file takes longer than the default 10 s deadline.
  crm::client::Prepare(&ctx, token, absl::Minutes(15));
  auto w = H().stub().ImportAccounts(&ctx, resp);
  pb::ImportAccountsRequest m;
  m.mutable_header()->set_file_name("bench.csv");
  bool open = w->Write(m);
  for (size_t i = 0; open && i < csv.size(); i += 64 * 1024) {
    m.set_chunk(csv.substr(i, 64 * 1024));
    open = w->Write(m);
  }
  w->WritesDone();
  return w->Finish();
}

// The east region's default pool (created by a one-row import).
int64_t EastPool() {
  static int64_t id = [] {
    const std::string mgr =
        H().User("bench_mgr", "east", "sales_manager").token;
    pb::ImportAccountsResponse resp;
    grpc::Status s = Import(mgr,
                            absl::StrCat("客户名称,统一社会信用代码\n种子公司,",
                                         CreditCode(999999), "\n"),
                            &resp);
    if (!s.ok() || resp.created() != 1) std::abort();
    return Scalar(absl::StrCat("SELECT pool_id AS c FROM accounts WHERE id = ",
                               resp.rows(0).account_id()));
  }();
  return id;
}

// Inserts `n` pooled accounts named "<prefix><i>"; returns their ids.
std::vector<int64_t> SeedPooled(const std::string& prefix, int n) {
  const int64_t pool = EastPool();
  Sql(absl::StrCat(
      "INSERT INTO accounts (kind, name, name_norm, region_code, type, status,"
      " tier, pool_id, created_by, created_at, updated_at) SELECT 1,"
      " CONCAT('",
      prefix, "', seq), CONCAT('", prefix, "', seq), 'east', 1, 1, 3, ", pool,
      ", 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_", n));
  auto conn = H().schema().Pool()->Borrow();
  auto rows = (*conn)->Query(absl::StrCat(
      "SELECT id FROM accounts WHERE name LIKE '", prefix, "%' ORDER BY id"));
  std::vector<int64_t> ids;
  for (const auto& r : *rows) ids.push_back(r.Int("id"));
  return ids;
}

grpc::Status Claim(const std::string& token, int64_t id) {
  grpc::ClientContext ctx;
  crm::client::Prepare(&ctx, token);
  pb::ClaimAccountRequest req;
  req.set_account_id(id);
  pb::Account a;
  return H().stub().ClaimAccount(&ctx, req, &a);
}

bench::LoadResult HealthBaseline(int in_flight) {
  static std::map<int, bench::LoadResult> done;
  if (!done.count(in_flight)) {
    done[in_flight] = bench::RunHealthCheck(
        crm::client::MakeChannel(H().identity().address()),
        bench::UnaryOptions(in_flight));
    bench::Print(absl::StrCat("health Check, ", in_flight, " in flight"),
                 done[in_flight]);
  }
  return done[in_flight];
}

void ClaimDistinct(benchmark::State& state) {
  const int reps = static_cast<int>(state.range(0));
  std::vector<std::string> tokens;
  for (int r = 0; r < reps; ++r)
    tokens.push_back(H().User(absl::StrCat("bench_claimer_", reps, "_", r),
                              "e1", "sales_rep")
                         .token);
  for (auto _ : state) {
    state.PauseTiming();
    const bench::LoadResult health = HealthBaseline(reps);
    const std::vector<int64_t> ids =
        SeedPooled(absl::StrCat("claim", reps, "x"), kDistinctSeeded);
    state.ResumeTiming();
    // Rep seq % reps claims account seq: every call a different account.
    const bench::LoadResult r = bench::RunAsync(
        bench::UnaryOptions(reps), [&](int64_t seq, bench::Done done) {
          if (seq >= static_cast<int64_t>(ids.size())) {
            done(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              "out of seeded accounts"));
            return;
          }
          auto c = std::make_shared<
              bench::Unary<pb::ClaimAccountRequest, pb::Account>>();
          crm::client::Prepare(&c->ctx, tokens[seq % reps]);
          c->req.set_account_id(ids[seq]);
          H().stub().async()->ClaimAccount(
              &c->ctx, &c->req, &c->resp,
              [c, done](grpc::Status s) { done(s); });
        });
    bench::Print(absl::StrCat("ClaimAccount distinct, ", reps, " in flight"),
                 r);
    if (r.errors > 0) state.SkipWithError("claims failed");
    Figures()[absl::StrCat("claims_per_s_", reps, "_reps")] = r.rps;
    state.counters["claims_per_s"] = r.rps;
    bench::BenchRecord rec =
        bench::FromLoad("accounts", "ClaimAccount, distinct accounts", r, reps);
    rec.dataset = absl::StrCat(bench::Thousands(kDistinctSeeded),
                               " pooled accounts, one rep per call in flight");
    bench::SetBaseline(&rec, bench::kHealthBaseline, health,
                       bench::RatioOf::kThroughput);
    bench::Emit(rec);
  }
}

void ClaimContention(benchmark::State& state) {
  std::vector<std::string> tokens;
  for (int r = 0; r < kContentionThreads; ++r)
    tokens.push_back(
        H().User(absl::StrCat("bench_racer_", r), "e2", "sales_rep").token);
  const std::vector<int64_t> ids = SeedPooled("hot", 1);
  const int64_t id = ids.at(0);
  const int64_t pool = EastPool();
  std::vector<double> latencies;
  std::mutex mu;
  int bad_rounds = 0;
  const bench::LoadResult health = HealthBaseline(kContentionThreads);
  bench::CpuMeter cpu;
  const absl::Time t0 = absl::Now();
  for (auto _ : state) {
    for (int round = 0; round < kContentionRounds; ++round) {
      // Back into the pool without history (so no cooldown applies).
      Sql(
          absl::StrCat("UPDATE accounts SET owner_id = NULL, owner_org_path "
                       "= '', owned_since = NULL, pool_id = ",
                       pool, " WHERE id = ", id));
      std::atomic<int> winners{0};
      std::atomic<bool> go{false};
      std::vector<std::thread> threads;
      for (int r = 0; r < kContentionThreads; ++r) {
        threads.emplace_back([&, r] {
          while (!go.load()) std::this_thread::yield();
          const absl::Time start = absl::Now();
          grpc::Status s = Claim(tokens[r], id);
          const double us = absl::ToDoubleMicroseconds(absl::Now() - start);
          if (s.ok()) ++winners;
          std::lock_guard<std::mutex> l(mu);
          latencies.push_back(us);
        });
      }
      go = true;
      for (auto& t : threads) t.join();
      if (winners != 1) ++bad_rounds;
    }
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  if (bad_rounds > 0) state.SkipWithError("a round without exactly one owner");
  const bench::LatencyStats stats = bench::Summarize(latencies);
  bench::BenchRecord rec;
  rec.bench = "accounts";
  rec.scenario = absl::StrCat("ClaimAccount, contended (", kContentionThreads,
                              " reps race for one account)");
  rec.throughput = latencies.size() / secs;
  rec.p50_us = stats.p50_us;
  rec.p99_us = stats.p99_us;
  rec.calls = static_cast<int64_t>(latencies.size());
  rec.in_flight = kContentionThreads;
  rec.cpu = cpu.Stop();
  rec.dataset = absl::StrCat(kContentionRounds, " rounds, one winner each");
  if (bad_rounds > 0)
    rec.notes = absl::StrCat(bad_rounds, " rounds without exactly one owner");
  bench::SetBaseline(&rec, bench::kHealthBaseline, health,
                     bench::RatioOf::kP99);
  bench::Emit(rec);
  Figures()["contention_p50_us"] = Percentile(latencies, 0.50);
  Figures()["contention_p99_us"] = Percentile(latencies, 0.99);
  Figures()["contention_calls"] = latencies.size();
  state.counters["p99_us"] = Percentile(latencies, 0.99);
}

// This process's peak resident set (the service runs in-process).
long PeakRssKb() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::string ImportCsv() {
  std::string csv = "客户名称,统一社会信用代码,行业,地址,类型\n";
  for (int i = 0; i < kImportRows; ++i) {
    absl::StrAppend(&csv, "导入测试", i, "号科技有限公司,", CreditCode(i),
                    ",软件,江苏省南京市建邺区", i, "号,", i % 10 ? "SMB" : "KA",
                    "\n");
  }
  return csv;
}

void ImportVsRawInsert(benchmark::State& state) {
  const std::string mgr = H().User("bench_mgr", "east", "sales_manager").token;
  const int64_t pool = EastPool();
  const std::string csv = ImportCsv();
  for (auto _ : state) {
    pb::ImportAccountsResponse resp;
    const long rss_before_kb = PeakRssKb();
    bench::CpuMeter cpu;
    absl::Time start = absl::Now();
    grpc::Status s = Import(mgr, csv, &resp);
    const double import_secs = absl::ToDoubleSeconds(absl::Now() - start);
    const bench::CpuUse import_cpu = cpu.Stop();
    Figures()["import_peak_rss_growth_mb"] =
        (PeakRssKb() - rss_before_kb) / 1024.0;
    Figures()["import_csv_mb"] = csv.size() / (1024.0 * 1024.0);
    if (!s.ok() || resp.created() != kImportRows) {
      state.SkipWithError(absl::StrCat("import: ", s.error_message(),
                                       " created ", resp.created())
                              .c_str());
      return;
    }
    // The same rows with a plain multi-row INSERT (no parsing, checks,
    // grams or history) into a copy of the table.
    Sql("DROP TABLE IF EXISTS accounts_raw");
    Sql("CREATE TABLE accounts_raw LIKE accounts");
    start = absl::Now();
    std::string sql;
    for (int i = 0; i < kImportRows; ++i) {
      if (sql.empty())
        sql =
            "INSERT INTO accounts_raw (kind, name, name_norm, credit_code, "
            "industry, address, region_code, type, status, tier, pool_id, "
            "created_by, created_at, updated_at) VALUES ";
      else
        sql += ",";
      absl::StrAppend(&sql, "(1,'导入测试", i, "号科技有限公司','导入测试", i,
                      "号科技','", CreditCode(i),
                      "','软件','江苏省南京市建邺区", i, "号','east',",
                      i % 10 ? 1 : 2, ",1,3,", pool,
                      ",1,UTC_TIMESTAMP(6),UTC_TIMESTAMP(6))");
      if ((i + 1) % 1000 == 0 || i + 1 == kImportRows) {
        Sql(sql);
        sql.clear();
      }
    }
    const double raw_secs = absl::ToDoubleSeconds(absl::Now() - start);
    bench::BenchRecord rec;
    rec.bench = "accounts";
    rec.scenario = "ImportAccounts (CSV, streamed)";
    rec.unit = "rows/s";
    rec.throughput = kImportRows / import_secs;
    rec.calls = kImportRows;
    rec.cpu = import_cpu;
    rec.dataset = absl::StrCat(bench::Thousands(kImportRows), " CSV rows");
    rec.baseline = "raw multi-row INSERT (1000 rows/statement)";
    rec.baseline_throughput = kImportRows / raw_secs;
    rec.ratio_of = bench::RatioOf::kThroughput;
    rec.notes = absl::StrFormat(
        "import %.1f s, raw INSERT %.1f s; peak RSS growth %.1f MB (CSV %.1f "
        "MB held by the client)",
        import_secs, raw_secs, Figures()["import_peak_rss_growth_mb"],
        Figures()["import_csv_mb"]);
    bench::Emit(rec);
    Figures()["import_rows_per_s"] = kImportRows / import_secs;
    Figures()["raw_insert_rows_per_s"] = kImportRows / raw_secs;
    state.counters["import_rows_per_s"] = kImportRows / import_secs;
    Sql("DROP TABLE IF EXISTS accounts_raw");
  }
}

const int kRecycleAccounts = static_cast<int>(bench::Scaled(1000000));

void RecycleOneMillion(benchmark::State& state) {
  for (auto _ : state) {
    auto rep = H().User("bench_recycle_rep", "e1", "sales_rep");
    EastPool();  // the region pool the recycled accounts go back to
    // Owned for 30 days; every tenth account was last followed up 12 days
    // ago (due under the default 10-day rule), the rest yesterday.
    const absl::Time load_start = absl::Now();
    // In chunks: one statement for 1M rows outlives the client's read
    // timeout on a busy machine with a durable log.
    for (int from = 1; from <= kRecycleAccounts; from += 50000) {
      const int to = std::min(kRecycleAccounts, from + 49999);
      Sql(absl::StrCat(
          "INSERT INTO accounts (kind, name, name_norm, region_code, type, "
          "status, tier,"
          " owner_id, owner_org_path, owned_since, last_follow_up_at, "
          "created_by, created_at,"
          " updated_at) SELECT 1, CONCAT('recycle', seq), CONCAT('recycle', "
          "seq), 'east', 1, 2, 3, ",
          rep.user_id, ", '/bench/', UTC_TIMESTAMP(6) - INTERVAL 30 DAY,",
          " IF(seq % 10 = 0, UTC_TIMESTAMP(6) - INTERVAL 12 DAY, "
          "UTC_TIMESTAMP(6) - INTERVAL 1 DAY),"
          " 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_",
          from, "_to_", to));
    }
    Figures()["recycle_load_s"] =
        absl::ToDoubleSeconds(absl::Now() - load_start);
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, H().Admin(), absl::Minutes(30));
    bench::CpuMeter cpu;
    pb::RunRecycleRequest req;
    const int64_t now_s = absl::ToUnixSeconds(H().clock().Now());
    req.mutable_as_of()->set_seconds(now_s);
    pb::RunRecycleResponse resp;
    const absl::Time start = absl::Now();
    grpc::Status s = H().stub().RunRecycle(&ctx, req, &resp);
    const double secs = absl::ToDoubleSeconds(absl::Now() - start);
    if (!s.ok()) state.SkipWithError(s.error_message().c_str());
    Figures()["recycle_s"] = secs;
    bench::BenchRecord rec;
    rec.bench = "accounts";
    rec.scenario = "RunRecycle (scan, release the stale 10%)";
    rec.unit = "accounts/s";
    rec.throughput = kRecycleAccounts / secs;
    rec.calls = 1;
    rec.cpu = cpu.Stop();
    rec.dataset =
        absl::StrCat(bench::Thousands(kRecycleAccounts), " private accounts");
    rec.notes = absl::StrFormat("%.1f s, %lld recycled; bulk load %.1f s", secs,
                                static_cast<long long>(resp.recycled()),
                                Figures()["recycle_load_s"]);
    bench::Emit(rec);
    Figures()["recycle_recycled"] = static_cast<double>(resp.recycled());
    Figures()["recycle_rows_per_s"] = kRecycleAccounts / secs;
    state.counters["recycle_rows_per_s"] = kRecycleAccounts / secs;
  }
}

BENCHMARK(ClaimDistinct)
    ->Arg(1)
    ->Arg(4)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ClaimContention)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ImportVsRawInsert)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(RecycleOneMillion)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& f = Figures();
  std::printf("\naccounts benchmark figures (this run):\n");
  std::printf("  ClaimAccount, distinct accounts, 1 rep:    %8.0f claims/s\n",
              f["claims_per_s_1_reps"]);
  std::printf("  ClaimAccount, distinct accounts, 4 reps:   %8.0f claims/s\n",
              f["claims_per_s_4_reps"]);
  std::printf(
      "  ClaimAccount, %d reps on one account:      p50 %6.0f us  p99 %6.0f "
      "us  (%.0f calls)\n",
      kContentionThreads, f["contention_p50_us"], f["contention_p99_us"],
      f["contention_calls"]);
  std::printf("  ImportAccounts (%d CSV rows):            %8.0f rows/s\n",
              kImportRows, f["import_rows_per_s"]);
  std::printf(
      "  peak RSS growth during the import:         %8.1f MB (CSV %.1f MB, "
      "held by the client)\n",
      f["import_peak_rss_growth_mb"], f["import_csv_mb"]);
  std::printf("  raw multi-row INSERT of the same rows:     %8.0f rows/s\n",
              f["raw_insert_rows_per_s"]);
  if (f["raw_insert_rows_per_s"] > 0) {
    std::printf("  ratio import / raw INSERT:                 %8.2f\n",
                f["import_rows_per_s"] / f["raw_insert_rows_per_s"]);
  }
  std::printf("  bulk load of %d private accounts:       %8.1f s\n",
              kRecycleAccounts, f["recycle_load_s"]);
  std::printf(
      "  RunRecycle over them:                      %8.1f s, %.0f accounts/s, "
      "%.0f recycled\n",
      f["recycle_s"], f["recycle_rows_per_s"], f["recycle_recycled"]);
  return 0;
}
