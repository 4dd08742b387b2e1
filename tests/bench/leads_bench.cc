// Leads benchmarks, in-process (LeadsHarness: leads, accounts, identity,
// MariaDB and Redis of `crmctl bench`). Run with `deploy/crmctl bench leads`
// or directly; figures are printed at the end:
//   - CreateLead throughput (4 client threads, distinct prospects, each
//     call also asks accounts' CheckDuplicates) as a ratio to
//     grpc.health.v1 Check throughput on the same leads server in the same
//     run (issue 7 target: >= 0.25 on 2 cores);
//   - ImportLeads of N CSV rows (default 100,000; --rows=N or
//     CRM_BENCH_LEAD_ROWS to change) with 10% duplicates of the previous
//     row and 5% invalid phones: rows/s and peak RSS (getrusage
//     ru_maxrss of this process, which hosts all three services).
#include <sys/resource.h>

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
#include "tests/testing/leads_harness.h"

namespace {

namespace pb = crm::leads::v1;
using crm::testing::LeadsHarness;

constexpr int kThreads = 4;
constexpr int kHealthCallsPerThread = 1500;
constexpr int kCreateCallsPerThread = 300;

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
        const int64_t n = t * 100000 + i;
        return h.Create(
            mgr,
            crm::testing::CompanyLead(absl::StrCat("基准公司", n), Phone(n)),
            &out);
      });

  // The downstream part of every capture, alone: accounts' CheckDuplicates.
  const double check_rps =
      Throughput(kThreads, kCreateCallsPerThread, [&](int t, int i) {
        grpc::ClientContext ctx;
        crm::client::Prepare(&ctx, mgr);
        crm::accounts::v1::CheckDuplicatesRequest req;
        req.mutable_draft()->set_kind(crm::accounts::v1::ACCOUNT_KIND_PERSON);
        req.mutable_draft()->set_name(absl::StrCat("基准公司", t, i));
        req.mutable_draft()->set_phone(Phone(t * 100000 + i, "139"));
        req.mutable_draft()->set_region_code("east");
        crm::accounts::v1::CheckDuplicatesResponse out;
        return h.accounts().stub().CheckDuplicates(&ctx, req, &out);
      });

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

  std::printf("\nleads benchmark (%d client threads)\n", kThreads);
  std::printf("  health Check          %10.0f rps\n", health_rps);
  std::printf("  CreateLead            %10.0f rps   ratio to health %.3f\n",
              create_rps, health_rps > 0 ? create_rps / health_rps : 0);
  std::printf("  (accounts CheckDuplicates alone %6.0f rps, ratio %.3f)\n",
              check_rps, health_rps > 0 ? check_rps / health_rps : 0);
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
