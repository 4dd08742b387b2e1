// Opportunities benchmark, in-process (OpportunitiesHarness: the service
// next to accounts and identity, on the MariaDB and Redis of `crmctl
// bench`). Run with `deploy/crmctl bench opportunities`.
//
// Bulk-loads N opportunities (default 1,000,000 times CRM_BENCH_SCALE;
// --opps_rows=N or CRM_BENCH_OPPS_ROWS) of pipeline 1 with INSERT ... SELECT
// FROM seq_1_to_X in chunks of 100,000, spread over 20 teams and 365 days of
// creation time, plus one ended stage stay per opportunity in stage_history.
// Then measures over gRPC, p50/p99:
//   - GetFunnel for the whole company (the boss at the root, 365 days);
//   - GetFunnel for one team (org_unit_id, ~N/20 rows);
//   - the baselines: grpc.health.v1 Check on the in-process identity server
//     (the same server stack, one call at a time, as the funnel calls) and
//     GetPipeline (auth + one primary-key read through the same stack); the
//     funnel figures are p50 ratios against the health Check.
// Calls go through the shared load generator (tests/testing/load_gen.h),
// one at a time.
// It also prints the index MariaDB picks for the funnel query (EXPLAIN).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/opportunities/opportunities_util.h"
#include "tests/testing/bench_baselines.h"
#include "tests/testing/bench_report.h"
#include "tests/testing/load_gen.h"
#include "tests/testing/opportunities_harness.h"

namespace {

namespace pb = crm::opportunities::v1;
namespace idpb = crm::identity::v1;
using crm::testing::OpportunitiesHarness;

constexpr int kTeams = 20;
constexpr int kChunk = 100000;
constexpr int kCompanyCalls = 15;
constexpr int kTeamCalls = 40;
constexpr int kBaselineCalls = 300;

namespace bench = crm::testing::bench;
int64_t g_rows = bench::Scaled(1000000);

std::map<std::string, double>& Figures() {
  static std::map<std::string, double> f;
  return f;
}

OpportunitiesHarness& H() {
  static OpportunitiesHarness h;
  return h;
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

// Creates kTeams teams (half under east, half under north); returns
// (id, path) of each.
std::vector<std::pair<int64_t, std::string>> Teams() {
  std::vector<std::pair<int64_t, std::string>> teams;
  auto& id = H().accounts().identity();
  const std::string admin = H().Admin();
  for (int i = 0; i < kTeams; ++i) {
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, admin);
    idpb::CreateOrgUnitRequest req;
    req.set_parent_id(H().Unit(i % 2 == 0 ? "east" : "north"));
    req.set_name(absl::StrCat("bench team ", i));
    req.set_kind(idpb::ORG_UNIT_KIND_TEAM);
    idpb::OrgUnit unit;
    grpc::Status s = id.stub().CreateOrgUnit(&ctx, req, &unit);
    if (!s.ok()) {
      std::fprintf(stderr, "CreateOrgUnit: %s\n", s.error_message().c_str());
      std::abort();
    }
    teams.push_back({unit.id(), unit.path()});
  }
  return teams;
}

// A CASE expression choosing the team path of row `seq` (owner = 1000 +
// seq % 400; team = owner % kTeams).
std::string TeamPathCase(
    const std::vector<std::pair<int64_t, std::string>>& teams) {
  std::string sql = "CASE (s.seq % 400) % 20";
  for (int i = 0; i < kTeams; ++i)
    absl::StrAppend(&sql, " WHEN ", i, " THEN '", teams[i].second, "'");
  return sql + " END";
}

void Load(const std::vector<std::pair<int64_t, std::string>>& teams) {
  const int64_t now_s = absl::ToUnixSeconds(H().clock().Now());
  const absl::Time start = absl::Now();
  // Stage mix (bucket = seq*7919 % 100): 40% qualify, 20% needs, 10%
  // proposal, 8% negotiation, 10% won, 12% lost.
  const std::string bucket = "((s.seq * 7919) % 100)";
  const std::string stage =
      absl::StrCat("CASE WHEN ", bucket, " < 40 THEN 0 WHEN ", bucket,
                   " < 60 THEN 1 WHEN ", bucket, " < 70 THEN 2 WHEN ", bucket,
                   " < 78 THEN 3 WHEN ", bucket, " < 88 THEN 4 ELSE 5 END");
  const std::string path = TeamPathCase(teams);
  for (int64_t done = 0; done < g_rows; done += kChunk) {
    const int64_t n = std::min<int64_t>(kChunk, g_rows - done);
    Sql(absl::StrCat(
        "INSERT INTO opportunities (name, account_id, pipeline_id, stage_pos, "
        "stage_code, sub_stage, status, probability_bp, max_open_pos, "
        "owner_id, owner_org_path, currency, amount_minor, "
        "expected_close_date, products_json, stage_entered_at, "
        "last_activity_at, created_by, created_at, updated_at) "
        "SELECT CONCAT('bench ', x.seq), 1 + x.seq % 50000, 1, x.st, "
        "ELT(x.st + 1, 'qualify', 'needs', 'proposal', 'negotiation', 'won', "
        "'lost'), '', CASE x.st WHEN 4 THEN 2 WHEN 5 THEN 3 ELSE 1 END, "
        "ELT(x.st + 1, 1000, 3000, 6000, 8000, 10000, 0), "
        "CASE x.st WHEN 4 THEN 3 WHEN 5 THEN x.seq % 3 ELSE x.st END, "
        "1000 + x.seq % 400, x.path, 'CNY', (x.seq % 1000 + 1) * 10000, "
        "DATE(x.created + INTERVAL 60 DAY), '[]', x.created, x.created, 1, "
        "x.created, x.created FROM (SELECT s.seq + ",
        done, " AS seq, ", stage, " AS st, ", path, " AS path, FROM_UNIXTIME(",
        now_s, ") - INTERVAL ((s.seq + ", done,
        ") % 31536000) SECOND AS created FROM seq_1_to_", n, " s) x"));
  }
  Figures()["load_opps_s"] = absl::ToDoubleSeconds(absl::Now() - start);
  const absl::Time hist_start = absl::Now();
  // One ended stay per opportunity: from stage id % 4, 1..500 hours.
  for (int64_t done = 0; done < g_rows; done += kChunk) {
    Sql(absl::StrCat(
        "INSERT INTO stage_history (opportunity_id, pipeline_id, owner_id, "
        "owner_org_path, kind, from_pos, from_stage, to_pos, to_stage, "
        "seconds_in_from, ends_stay, actor_id, at) SELECT o.id, 1, "
        "o.owner_id, o.owner_org_path, 'move', o.id % 4, 'x', o.id % 4 + 1, "
        "'y', (o.id % 500 + 1) * 3600, 1, o.owner_id, o.created_at + "
        "INTERVAL (o.id % 500 + 1) HOUR FROM opportunities o WHERE o.id > ",
        done, " AND o.id <= ", done + kChunk));
  }
  Figures()["load_history_s"] = absl::ToDoubleSeconds(absl::Now() - hist_start);
  // The daily rollups the service keeps on every write (ADR 0012), built
  // here the way migration 0003 backfills them.
  const absl::Time rollup_start = absl::Now();
  Sql("INSERT INTO funnel_daily (pipeline_id, owner_org_path, day, "
      "stage_pos, max_open_pos, n, amount_minor) SELECT pipeline_id, "
      "owner_org_path, DATE(created_at), stage_pos, max_open_pos, COUNT(*), "
      "SUM(amount_minor) FROM opportunities GROUP BY pipeline_id, "
      "owner_org_path, DATE(created_at), stage_pos, max_open_pos");
  Sql("INSERT INTO stay_monthly (pipeline_id, owner_org_path, month, "
      "from_pos, hours, n) SELECT pipeline_id, owner_org_path, "
      "DATE_FORMAT(at, '%Y-%m-01'), from_pos, "
      "CASE WHEN seconds_in_from DIV 3600 < 48 THEN seconds_in_from DIV 3600 "
      "WHEN seconds_in_from DIV 3600 < 336 THEN seconds_in_from DIV 3600 - "
      "(seconds_in_from DIV 3600) % 6 ELSE seconds_in_from DIV 3600 - "
      "(seconds_in_from DIV 3600) % 24 END AS hours, COUNT(*) FROM "
      "stage_history WHERE ends_stay = 1 GROUP BY pipeline_id, "
      "owner_org_path, DATE_FORMAT(at, '%Y-%m-01'), from_pos, hours");
  Figures()["load_rollup_s"] =
      absl::ToDoubleSeconds(absl::Now() - rollup_start);
  // ANALYZE returns rows: run it as a query.
  auto conn = H().schema().Pool()->Borrow();
  if (!conn.ok() ||
      !(*conn)->Query("ANALYZE TABLE opportunities, stage_history").ok())
    std::abort();
}

// `calls` calls of `fn`, one at a time, through the load generator.
bench::LoadResult Time(int calls, const std::function<grpc::Status()>& fn) {
  bench::LoadOptions o;
  o.in_flight = 1;
  o.max_calls = calls;
  o.warmup = absl::ZeroDuration();
  bench::LoadResult r = bench::RunSync(o, [&](int, int64_t) { return fn(); });
  if (r.errors > 0) {
    std::fprintf(stderr, "call failed: %s\n", r.first_error.c_str());
    std::abort();
  }
  return r;
}

void Record(const std::string& name, const bench::LoadResult& r) {
  Figures()[name + "_p50_us"] = r.p50_us();
  Figures()[name + "_p99_us"] = r.p99_us();
}

std::string g_explain;

void FunnelOverMillion(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto teams = Teams();
    Load(teams);
    const std::string boss = H().User("bench_boss", "root", "boss").token;
    const absl::Time now = H().clock().Now();
    auto funnel = [&](int64_t unit) {
      grpc::ClientContext ctx;
      crm::client::Prepare(&ctx, boss, absl::Minutes(5));
      pb::GetFunnelRequest req;
      req.set_pipeline_id(1);
      req.set_org_unit_id(unit);
      crm::opportunities::ToTimestamp(now - absl::Hours(24 * 366),
                                      req.mutable_create_from());
      crm::opportunities::ToTimestamp(now + absl::Hours(1),
                                      req.mutable_create_to());
      pb::GetFunnelResponse out;
      grpc::Status s = H().stub().GetFunnel(&ctx, req, &out);
      if (s.ok())
        Figures()["funnel_rows_" + std::to_string(unit)] =
            static_cast<double>(out.total_count());
      return s;
    };
    state.ResumeTiming();
    bench::LoadOptions health_opts = bench::UnaryOptions(1);
    const bench::LoadResult health = bench::RunHealthCheck(
        crm::client::MakeChannel(H().accounts().identity().address()),
        health_opts);
    bench::Print("health Check, 1 in flight", health);
    const bench::LoadResult pipeline = Time(kBaselineCalls, [&] {
      grpc::ClientContext ctx;
      crm::client::Prepare(&ctx, boss);
      pb::GetPipelineRequest req;
      req.set_id(1);
      pb::Pipeline out;
      return H().stub().GetPipeline(&ctx, req, &out);
    });
    Record("baseline", pipeline);
    const bench::LoadResult company =
        Time(kCompanyCalls, [&] { return funnel(0); });
    Record("company", company);
    const bench::LoadResult team =
        Time(kTeamCalls, [&] { return funnel(teams[3].first); });
    Record("team", team);
    Figures()["company_rows"] = Figures()["funnel_rows_0"];
    Figures()["team_rows"] =
        Figures()["funnel_rows_" + std::to_string(teams[3].first)];
    const std::string data = absl::StrCat(bench::Thousands(g_rows),
                                          " opportunities + stage history");
    for (const auto& [name, r, rows] :
         std::vector<std::tuple<std::string, bench::LoadResult, double>>{
             {"GetFunnel, company (365 days)", company,
              Figures()["company_rows"]},
             {"GetFunnel, one team (365 days)", team, Figures()["team_rows"]},
             {"GetPipeline (auth + one primary-key read)", pipeline, 0}}) {
      bench::BenchRecord rec = bench::FromLoad("opportunities", name, r, 1);
      rec.dataset = rows > 0 ? absl::StrCat(data, "; ", bench::Thousands(rows),
                                            " in the funnel")
                             : data;
      bench::SetBaseline(&rec, bench::kHealthBaseline, health,
                         bench::RatioOf::kP50);
      bench::Emit(rec);
    }
    // Which index serves the team cohort query.
    auto conn = H().schema().Pool()->Borrow();
    auto rows = (*conn)->Query(absl::StrCat(
        "EXPLAIN SELECT o.stage_pos, o.max_open_pos, COUNT(*), "
        "SUM(o.amount_minor) FROM opportunities o WHERE o.pipeline_id = 1 "
        "AND (o.owner_org_path LIKE '",
        teams[3].second,
        "%') AND o.created_at >= NOW() - INTERVAL 400 DAY AND o.created_at < "
        "NOW() + INTERVAL 1 DAY GROUP BY o.stage_pos, o.max_open_pos"));
    if (rows.ok() && !rows->empty()) {
      g_explain = absl::StrCat("key=", rows->front().String("key"),
                               " Extra=", rows->front().String("Extra"));
    }
  }
}

BENCHMARK(FunnelOverMillion)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (const char* env = std::getenv("CRM_BENCH_OPPS_ROWS")) g_rows = atoll(env);
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--opps_rows=", 12) == 0) {
      g_rows = atoll(argv[i] + 12);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& f = Figures();
  const double base = f["baseline_p50_us"];
  std::printf("\nopportunities benchmark figures (this run, %lld rows):\n",
              static_cast<long long>(g_rows));
  std::printf(
      "  bulk load: opportunities %.1f s, stage history %.1f s, rollups "
      "%.1f s\n",
      f["load_opps_s"], f["load_history_s"], f["load_rollup_s"]);
  std::printf("  baseline GetPipeline:        p50 %9.0f us  p99 %9.0f us\n",
              f["baseline_p50_us"], f["baseline_p99_us"]);
  std::printf(
      "  GetFunnel company (%7.0f rows): p50 %9.0f us  p99 %9.0f us  "
      "(p50 x%.0f baseline)\n",
      f["company_rows"], f["company_p50_us"], f["company_p99_us"],
      base > 0 ? f["company_p50_us"] / base : 0);
  std::printf(
      "  GetFunnel one team (%6.0f rows): p50 %9.0f us  p99 %9.0f us  "
      "(p50 x%.0f baseline)\n",
      f["team_rows"], f["team_p50_us"], f["team_p99_us"],
      base > 0 ? f["team_p50_us"] / base : 0);
  std::printf("  team cohort query plan: %s\n", g_explain.c_str());
  return 0;
}
