// Leads benchmarks, in-process (LeadsHarness: leads, accounts, identity,
// MariaDB and Redis of `crmctl bench`). Run with `deploy/crmctl bench leads`
// or directly; figures are printed at the end:
//   - CreateLead throughput (4 client threads, distinct prospects, each
//     capture also checked against accounts, coalesced into
//     CheckDuplicatesBatch calls) as a ratio to grpc.health.v1 Check
//     throughput on the same leads server with the same 4 threads, median
//     of alternating rounds (issue 7 target: >= 0.25 on 2 cores);
//   - ImportLeads of N CSV rows (default 100,000; --rows=N or
//     CRM_BENCH_LEAD_ROWS to change) with 10% duplicates of the previous
//     row and 5% invalid phones: rows/s and peak RSS (getrusage
//     ru_maxrss of this process, which hosts all three services).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/leads/domain/lead_rules.h"
#include "services/leads/store/lead_store.h"
#include "tests/testing/leads_harness.h"

namespace {

namespace pb = crm::leads::v1;
using crm::testing::LeadsHarness;

constexpr int kThreads = 4;
// The machine is shared: baseline and CreateLead are measured in
// alternating rounds, and the ratio reported is the median of the rounds'
// ratios (each round's pair ran under about the same load).
constexpr int kRounds = 5;
constexpr int kHealthCallsPerThread = 500;
constexpr int kCreateCallsPerThread = 100;

long PeakRssKib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A valid, unique mobile for each i (a bijection on the 8 subscriber digits).
std::string Phone(int64_t i, const char* prefix = "135") {
  const int64_t sub = (i * 48271 + 12345678) % 100000000;
  return absl::StrFormat("%s%08d", prefix, sub);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

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

std::string ImportCsv(int rows) {
  std::string csv = "公司名称,联系人,手机,邮箱,城市,规模\n";
  csv.reserve(static_cast<size_t>(rows) * 60);
  int64_t unique = 0;
  std::string last_company, last_phone;
  for (int i = 0; i < rows; ++i) {
    std::string company, phone;
    if (i % 20 == 7) {  // 5% invalid: a placeholder number
      company = absl::StrCat("无效公司", i);
      phone = "13800000000";
    } else if (i % 10 == 3 && !last_phone.empty()) {  // 10% duplicates
      company = last_company;
      phone = last_phone;
    } else {
      company = absl::StrCat("导入基准公司", unique);
      phone = Phone(unique++, "136");
      last_company = company;
      last_phone = phone;
    }
    absl::StrAppend(&csv, company, ",联系人,", phone, ",,上海,", i % 500, "\n");
  }
  return csv;
}

}  // namespace

int main(int argc, char** argv) {
  int rows = 100000;
  if (const char* env = std::getenv("CRM_BENCH_LEAD_ROWS"))
    rows = std::atoi(env);
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--rows=", 7) == 0) rows = std::atoi(argv[i] + 7);

  LeadsHarness h;
  const std::string mgr = h.User("bench_mgr", "east", "sales_manager").token;
  auto health =
      grpc::health::v1::Health::NewStub(crm::client::MakeChannel(h.address()));

  // Warm-up: connections, the region pool, prepared statements.
  for (int i = 0; i < 50; ++i) {
    grpc::ClientContext ctx;
    crm::client::Prepare(&ctx, "");
    grpc::health::v1::HealthCheckResponse r;
    health->Check(&ctx, {}, &r);
    h.CreateOk(mgr, crm::testing::CompanyLead(absl::StrCat("预热", i),
                                              Phone(900000 + i, "137")));
  }

  std::vector<double> health_runs, create_runs, check_runs, ratios,
      check_ratios, store_ratios;
  crm::leads::LeadStore store(h.schema().Pool(),
                              h.accounts().identity().shared_clock());
  const int64_t pool_id =
      h.CreateOk(mgr, crm::testing::CompanyLead("基准池", Phone(1, "150")))
          .pool_id();
  const auto checks_before = h.service().AccountCheckCounts();
  for (int round = 0; round < kRounds; ++round) {
    const double health_rps =
        Throughput(kThreads, kHealthCallsPerThread, [&](int, int) {
          grpc::ClientContext ctx;
          crm::client::Prepare(&ctx, "");
          grpc::health::v1::HealthCheckResponse r;
          return health->Check(&ctx, {}, &r);
        });
    const double create_rps =
        Throughput(kThreads, kCreateCallsPerThread, [&](int t, int i) {
          pb::CreateLeadResponse out;
          const int64_t n = t * 100000 + round * 1000 + i;
          return h.Create(
              mgr,
              crm::testing::CompanyLead(absl::StrCat("基准公司", n), Phone(n)),
              &out);
        });
    // The downstream part of every capture, alone: one accounts
    // CheckDuplicates call per capture (what CreateLead did before its
    // checks were coalesced).
    const double check_rps =
        Throughput(kThreads, kCreateCallsPerThread, [&](int t, int i) {
          grpc::ClientContext ctx;
          crm::client::Prepare(&ctx, mgr);
          crm::accounts::v1::CheckDuplicatesRequest req;
          req.mutable_draft()->set_kind(crm::accounts::v1::ACCOUNT_KIND_PERSON);
          req.mutable_draft()->set_name(absl::StrCat("基准公司", t, i));
          req.mutable_draft()->set_phone(
              Phone(t * 100000 + round * 1000 + i, "139"));
          req.mutable_draft()->set_region_code("east");
          crm::accounts::v1::CheckDuplicatesResponse out;
          return h.accounts().stub().CheckDuplicates(&ctx, req, &out);
        });
    // The database floor: CreateLead's write transaction alone (the
    // store's insert path, no gRPC, no accounts), same threads.
    const double store_rps =
        Throughput(kThreads, kCreateCallsPerThread, [&](int t, int i) {
          crm::leads::LeadStore::NewLead in;
          in.lead.d.kind = crm::leads::LeadKind::kCompany;
          in.lead.d.company_name = absl::StrCat("存储基准", t, "-", round, i);
          in.lead.d.contact_name = "联系人";
          in.lead.d.phone = Phone(t * 100000 + round * 1000 + i, "158");
          in.lead.d.region_code = "east";
          if (!crm::leads::CleanseDraft(&in.lead.d).ok())
            return grpc::Status(grpc::StatusCode::INTERNAL, "draft");
          in.lead.pool_id = pool_id;
          in.keys = crm::leads::DedupKeys(in.lead.d);
          absl::StatusOr<crm::leads::LeadStore::Outcome> out =
              store.CreateOrMerge(in, {}, /*keys_free=*/true);
          return out.ok() ? grpc::Status::OK
                          : grpc::Status(grpc::StatusCode::INTERNAL,
                                         std::string(out.status().message()));
        });
    store_ratios.push_back(health_rps > 0 ? store_rps / health_rps : 0);
    health_runs.push_back(health_rps);
    create_runs.push_back(create_rps);
    check_runs.push_back(check_rps);
    ratios.push_back(health_rps > 0 ? create_rps / health_rps : 0);
    check_ratios.push_back(health_rps > 0 ? check_rps / health_rps : 0);
  }
  const auto checks_after = h.service().AccountCheckCounts();
  const double health_rps = Median(health_runs);
  const double create_rps = Median(create_runs);
  const double check_rps = Median(check_runs);

  const long rss_before = PeakRssKib();
  const std::string csv = ImportCsv(rows);
  grpc::ClientContext ctx;
  crm::client::Prepare(&ctx, mgr, absl::Hours(2));
  pb::ImportLeadsResponse resp;
  const absl::Time start = absl::Now();
  auto w = h.stub().ImportLeads(&ctx, &resp);
  pb::ImportLeadsRequest m;
  m.mutable_header()->set_file_name("bench.csv");
  bool open = w->Write(m);
  for (size_t i = 0; open && i < csv.size(); i += 64 * 1024) {
    m.set_chunk(csv.substr(i, 64 * 1024));
    open = w->Write(m);
  }
  w->WritesDone();
  grpc::Status s = w->Finish();
  const double import_secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (!s.ok()) {
    std::fprintf(stderr, "import failed: %s\n", s.error_message().c_str());
    return 1;
  }

  std::printf("\nleads benchmark (%d client threads, median of %d rounds)\n",
              kThreads, kRounds);
  std::printf("  health Check          %10.0f rps\n", health_rps);
  std::printf("  CreateLead            %10.0f rps   ratio to health %.3f\n",
              create_rps, Median(ratios));
  std::printf("  (accounts CheckDuplicates alone %6.0f rps, ratio %.3f)\n",
              check_rps, Median(check_ratios));
  std::printf(
      "  (CreateLead's write transaction alone, ratio %.3f: the floor "
      "of the database part)\n",
      Median(store_ratios));
  std::printf("  round ratios:");
  for (double r : ratios) std::printf(" %.3f", r);
  const int64_t batches = checks_after.first - checks_before.first;
  const int64_t drafts = checks_after.second - checks_before.second;
  std::printf(
      "\n  CreateLead account checks: %lld drafts in %lld batch calls "
      "(%.2f per call)\n",
      static_cast<long long>(drafts), static_cast<long long>(batches),
      batches > 0 ? static_cast<double>(drafts) / batches : 0);
  std::printf(
      "  ImportLeads %d rows   %10.0f rows/s (%.1f s): created %lld, merged "
      "%lld, invalid %lld\n",
      rows, rows / import_secs, import_secs,
      static_cast<long long>(resp.created()),
      static_cast<long long>(resp.merged()),
      static_cast<long long>(resp.invalid()));
  std::printf(
      "  peak RSS              %10ld KiB before import, %ld KiB after\n",
      rss_before, PeakRssKib());
  return 0;
}
