// The admin HTTP port: a real identity server in-process with its admin port
// on a free loopback port; RPCs, then GET /metrics and /healthz over HTTP,
// checked in the Prometheus text format. Also the metrics registry (labels,
// escaping, collectors, job runs) and the pool gauges.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/client/client.h"
#include "common/config/config.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/events/outbox.h"
#include "common/server/admin_server.h"
#include "common/server/metrics.h"
#include "common/server/server.h"
#include "common/service/service_runtime.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "services/identity/identity_service.h"
#include "tests/testing/identity_harness.h"
#include "tests/testing/test_db.h"

namespace crm {
const std::vector<db::Migration>& IdentityMigrations();
}

namespace crm::testing {
namespace {

constexpr char kLogin[] = "/crm.identity.v1.IdentityService/Login";
constexpr char kWhoAmI[] = "/crm.identity.v1.IdentityService/WhoAmI";

// Every sample line of a Prometheus text page: "name{labels}" -> value.
// Also checks the page's shape: each line is a comment or "series value".
std::map<std::string, double> ParseSamples(const std::string& page) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    EXPECT_NE(space, absl::string_view::npos) << line;
    if (space == absl::string_view::npos) continue;
    double v = 0;
    const std::string value(line.substr(space + 1));
    if (value == "+Inf") {
      v = 1e308;
    } else {
      EXPECT_TRUE(absl::SimpleAtod(value, &v)) << line;
    }
    const std::string series(line.substr(0, space));
    EXPECT_EQ(out.count(series), 0u) << "duplicate series " << series;
    out[series] = v;
  }
  return out;
}

double Sample(const std::map<std::string, double>& samples,
              const std::string& series) {
  auto it = samples.find(series);
  return it == samples.end() ? 0 : it->second;
}

std::string Requests(const std::string& method, const std::string& code) {
  return absl::StrCat("crm_grpc_requests_total{method=\"", method, "\",code=\"",
                      code, "\"}");
}

std::string Bucket(const std::string& method, const std::string& le) {
  return absl::StrCat("crm_grpc_request_seconds_bucket{method=\"", method,
                      "\",le=\"", le, "\"}");
}

struct HttpResult {
  int status = 0;  // 0: no answer
  std::string body;
  std::string content_type;
};

HttpResult Get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  auto res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

// An identity server like IdentityHarness's, but with an admin port.
class AdminHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = schema_.Pool();
    ASSERT_TRUE(db::RunMigrations(*pool, IdentityMigrations()).ok());
    ASSERT_TRUE(events::EnsureEventTables(*pool).ok());
    auto codec = auth::TokenCodec::Create(kTestTokenKey);
    ASSERT_TRUE(codec.ok());
    auto tokens = std::make_shared<const auth::TokenCodec>(*codec);
    identity::SessionConfig config;
    config.password_cost = identity::PasswordCost::Minimum();
    service_ = std::make_unique<identity::IdentityServiceImpl>(
        pool, tokens, DefaultClock(), config);
    ASSERT_TRUE(
        service_->BootstrapAdmin("Metrics Co", "admin", kAdminPassword).ok());
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.admin_listen = "127.0.0.1:0";
    options.admin_listen_required = true;
    options.shutdown_grace = absl::Seconds(1);
    options.public_methods = identity::IdentityServiceImpl::PublicMethods();
    host_ = std::make_unique<server::ServiceHost>(options, tokens);
    host_->AddService(service_.get());
    ASSERT_TRUE(host_->Start().ok());
    ASSERT_GT(host_->admin_port(), 0);
    stub_ = crm::identity::v1::IdentityService::NewStub(
        client::MakeChannel(host_->address()));
  }

  grpc::Status Login(const std::string& password) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    crm::identity::v1::LoginRequest req;
    req.set_username("admin");
    req.set_password(password);
    crm::identity::v1::LoginResponse resp;
    return stub_->Login(&ctx, req, &resp);
  }

  grpc::Status WhoAmI(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    crm::common::v1::Principal me;
    return stub_->WhoAmI(&ctx, {}, &me);
  }

  std::map<std::string, double> Scrape() {
    HttpResult r = Get(host_->admin_port(), "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.content_type.find("text/plain"), std::string::npos);
    EXPECT_NE(r.content_type.find("version=0.0.4"), std::string::npos);
    return ParseSamples(r.body);
  }

  TestSchema schema_{"ops_metrics"};
  std::unique_ptr<identity::IdentityServiceImpl> service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::identity::v1::IdentityService::Stub> stub_;
};

TEST_F(AdminHostTest, MetricsCountRequestsByMethodAndCode) {
  const auto before = Scrape();
  ASSERT_TRUE(Login(kAdminPassword).ok());
  ASSERT_TRUE(Login(kAdminPassword).ok());
  EXPECT_EQ(Login("wrong-password-1").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(WhoAmI("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(WhoAmI("not-a-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const auto after = Scrape();

  auto delta = [&](const std::string& series) {
    return Sample(after, series) - Sample(before, series);
  };
  EXPECT_EQ(delta(Requests(kLogin, "OK")), 2);
  EXPECT_EQ(delta(Requests(kLogin, "UNAUTHENTICATED")), 1);
  EXPECT_EQ(delta(Requests(kWhoAmI, "UNAUTHENTICATED")), 2);
  EXPECT_EQ(delta(Requests(kWhoAmI, "OK")), 0);

  // The latency histogram of Login: 3 more observations, cumulative
  // buckets that never decrease, +Inf equal to the count, a positive sum.
  EXPECT_EQ(delta(absl::StrCat("crm_grpc_request_seconds_count{method=\"",
                               kLogin, "\"}")),
            3);
  EXPECT_GT(Sample(after, absl::StrCat("crm_grpc_request_seconds_sum{method=\"",
                                       kLogin, "\"}")),
            0);
  double previous = 0;
  for (double le : server::RequestMetrics::kBuckets) {
    const std::string series = Bucket(kLogin, server::FormatMetricValue(le));
    ASSERT_EQ(after.count(series), 1u) << series;
    EXPECT_GE(after.at(series), previous) << series;
    previous = after.at(series);
  }
  EXPECT_GE(Sample(after, Bucket(kLogin, "+Inf")), previous);
  EXPECT_EQ(
      Sample(after, Bucket(kLogin, "+Inf")),
      Sample(after, absl::StrCat("crm_grpc_request_seconds_count{method=\"",
                                 kLogin, "\"}")));
  // Each call lands in the +Inf bucket whatever its latency.
  EXPECT_EQ(delta(Bucket(kWhoAmI, "+Inf")), 2);
}

TEST_F(AdminHostTest, MetricsPageHasHelpAndTypeForEveryFamily) {
  ASSERT_TRUE(Login(kAdminPassword).ok());
  HttpResult r = Get(host_->admin_port(), "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("# TYPE crm_grpc_requests_total counter\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("# TYPE crm_grpc_request_seconds histogram\n"),
            std::string::npos);
  // Every sample's family has a TYPE line before it.
  std::set<std::string> typed;
  for (absl::string_view line : absl::StrSplit(r.body, '\n')) {
    if (absl::StartsWith(line, "# TYPE ")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      ASSERT_EQ(parts.size(), 4u) << line;
      typed.insert(parts[2]);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::string name(line.substr(0, line.find_first_of("{ ")));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (typed.count(name) == 0 && absl::EndsWith(name, suffix))
        name = name.substr(0, name.size() - strlen(suffix));
    }
    EXPECT_EQ(typed.count(name), 1u) << "no TYPE before " << line;
  }
}

TEST_F(AdminHostTest, HealthzFollowsTheGrpcHealthState) {
  HttpResult r = Get(host_->admin_port(), "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "SERVING\n");
  host_->SetServing(false);
  r = Get(host_->admin_port(), "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "NOT_SERVING\n");
  host_->SetServing(true);
  EXPECT_EQ(Get(host_->admin_port(), "/healthz").status, 200);
  EXPECT_EQ(Get(host_->admin_port(), "/nope").status, 404);

  const int admin_port = host_->admin_port();
  host_->Shutdown();
  EXPECT_EQ(host_->admin_port(), 0);
  EXPECT_EQ(Get(admin_port, "/healthz").status, 0) << "still listening";
}

TEST_F(AdminHostTest, PoolGaugesShowConnectionsInUse) {
  auto pool = schema_.Pool();
  auto registration = service::RegisterPoolMetrics(
      server::MetricsRegistry::Global(), "identity", pool.get(), nullptr);
  auto lease = pool->Borrow();
  ASSERT_TRUE(lease.ok());
  auto samples = Scrape();
  EXPECT_GE(Sample(samples, "crm_db_pool_connections{state=\"in_use\"}"), 1);
  EXPECT_EQ(samples.count("crm_db_pool_connections{state=\"idle\"}"), 1u);
  EXPECT_EQ(Sample(samples, "crm_db_pool_max_connections"),
            pool->options().pool_size);
  EXPECT_EQ(Sample(samples, "crm_service_info{service=\"identity\"}"), 1);
  EXPECT_EQ(samples.count("crm_redis_pool_connections{state=\"idle\"}"), 0u);

  // Unregistered: the gauges leave the page.
  registration = server::MetricsRegistry::Registration();
  samples = Scrape();
  EXPECT_EQ(samples.count("crm_db_pool_max_connections"), 0u);
}

TEST_F(AdminHostTest, PoolWaitersAndWaitTimeAreExported) {
  // A one-connection pool: a second borrower has to wait.
  db::DbOptions options = schema_.Options(1);
  options.borrow_timeout = absl::Seconds(30);
  auto created = db::ConnectionPool::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  std::shared_ptr<db::ConnectionPool> pool = *std::move(created);
  auto registration = service::RegisterPoolMetrics(
      server::MetricsRegistry::Global(), "identity", pool.get(), nullptr);
  auto samples = Scrape();
  EXPECT_EQ(samples.count("crm_db_pool_waiters"), 1u);
  EXPECT_EQ(Sample(samples, "crm_db_pool_waiters"), 0);
  EXPECT_EQ(Sample(samples, "crm_db_pool_waits_total"), 0);
  EXPECT_EQ(samples.count("crm_db_pool_wait_seconds_total"), 1u);
  EXPECT_EQ(Sample(samples, "crm_db_pool_borrow_timeouts_total"), 0);
  {
    HttpResult page = Get(host_->admin_port(), "/metrics");
    EXPECT_NE(page.body.find("# TYPE crm_db_pool_waiters gauge\n"),
              std::string::npos);
    EXPECT_NE(page.body.find("# TYPE crm_db_pool_waits_total counter\n"),
              std::string::npos);
    EXPECT_NE(page.body.find("# TYPE crm_db_pool_wait_seconds_total counter\n"),
              std::string::npos);
  }

  std::optional<db::PooledConnection> held;
  {
    auto lease = pool->Borrow();
    ASSERT_TRUE(lease.ok());
    held.emplace(std::move(*lease));
  }
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto lease = pool->Borrow();
    EXPECT_TRUE(lease.ok()) << lease.status();
    got = true;
  });
  // The second borrower shows as a waiter while the first holds the pool.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (Sample(samples = Scrape(), "crm_db_pool_waiters") < 1 &&
         absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(Sample(samples, "crm_db_pool_waiters"), 1);
  EXPECT_EQ(Sample(samples, "crm_db_pool_connections{state=\"in_use\"}"), 1);
  EXPECT_FALSE(got);
  held.reset();  // hands the connection to the waiter
  waiter.join();
  EXPECT_TRUE(got);
  samples = Scrape();
  EXPECT_EQ(Sample(samples, "crm_db_pool_waiters"), 0);
  EXPECT_EQ(Sample(samples, "crm_db_pool_waits_total"), 1);
  EXPECT_GT(Sample(samples, "crm_db_pool_wait_seconds_total"), 0);
  EXPECT_EQ(Sample(samples, "crm_db_pool_borrow_timeouts_total"), 0);
  EXPECT_EQ(pool->stats().waits_total, 1);

  // A borrower that gives up counts as a timeout (and as a wait).
  db::DbOptions quick = schema_.Options(1);
  quick.borrow_timeout = absl::Milliseconds(50);
  auto small = db::ConnectionPool::Create(quick);
  ASSERT_TRUE(small.ok());
  auto first = (*small)->Borrow();
  ASSERT_TRUE(first.ok());
  auto second = (*small)->Borrow();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  const db::ConnectionPool::Stats st = (*small)->stats();
  EXPECT_EQ(st.waiters, 0);
  EXPECT_EQ(st.waits_total, 1);
  EXPECT_EQ(st.timeouts_total, 1);
  EXPECT_GT(st.wait_time_total, absl::ZeroDuration());
}

TEST_F(AdminHostTest, JobRunsAreExported) {
  server::RecordJobRun("ops_test_job", "ok", absl::Milliseconds(20),
                       absl::FromUnixSeconds(1700000000));
  server::RecordJobRun("ops_test_job", "skipped", absl::ZeroDuration());
  server::RecordJobRun("ops_test_job", "error", absl::Seconds(2));
  auto samples = Scrape();
  EXPECT_GE(Sample(samples,
                   "crm_job_runs_total{job=\"ops_test_job\",outcome=\"ok\"}"),
            1);
  EXPECT_GE(Sample(samples,
                   "crm_job_runs_total{job=\"ops_test_job\","
                   "outcome=\"skipped\"}"),
            1);
  EXPECT_EQ(Sample(samples,
                   "crm_job_last_run_timestamp_seconds{job=\"ops_"
                   "test_job\",outcome=\"ok\"}"),
            1700000000);
  // Skipped rounds take no time: only ok + error are observed.
  EXPECT_EQ(Sample(samples, "crm_job_run_seconds_count{job=\"ops_test_job\"}"),
            2);
  EXPECT_EQ(Sample(samples,
                   "crm_job_run_seconds_bucket{job=\"ops_test_job\",le="
                   "\"0.025\"}"),
            1);
  EXPECT_EQ(Sample(samples,
                   "crm_job_run_seconds_bucket{job=\"ops_test_job\",le="
                   "\"5\"}"),
            2);
}

TEST(MetricsRegistryTest, CountersGaugesHistogramsWithLabels) {
  server::MetricsRegistry m;
  m.CounterAdd("crm_test_events_total", "Events.", {{"kind", "a"}});
  m.CounterAdd("crm_test_events_total", "Events.", {{"kind", "a"}}, 4);
  m.CounterAdd("crm_test_events_total", "Events.", {{"kind", "b"}});
  m.CounterAdd("crm_test_events_total", "Events.", {{"kind", "b"}}, -3);
  m.GaugeSet("crm_test_depth", "Depth.", {}, 2.5);
  m.GaugeSet("crm_test_depth", "Depth.", {}, 7);
  m.HistogramObserve("crm_test_batch", "Batch sizes.", {{"q", "x"}}, 3,
                     {1, 10, 100});
  m.HistogramObserve("crm_test_batch", "Batch sizes.", {{"q", "x"}}, 50,
                     {1, 10, 100});
  // A name used with a second type, and an invalid name, are ignored.
  m.GaugeSet("crm_test_events_total", "", {}, 99);
  m.CounterAdd("9bad name", "", {});

  EXPECT_EQ(m.Value("crm_test_events_total", {{"kind", "a"}}), 5);
  EXPECT_EQ(m.Value("crm_test_events_total", {{"kind", "b"}}), 1);
  EXPECT_EQ(m.Value("crm_test_depth", {}), 7);
  const std::string page = m.RenderPrometheus();
  EXPECT_NE(page.find("# HELP crm_test_events_total Events.\n# TYPE "
                      "crm_test_events_total counter\n"
                      "crm_test_events_total{kind=\"a\"} 5\n"
                      "crm_test_events_total{kind=\"b\"} 1\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("crm_test_depth 7\n"), std::string::npos) << page;
  EXPECT_NE(page.find("# TYPE crm_test_batch histogram\n"
                      "crm_test_batch_bucket{q=\"x\",le=\"1\"} 0\n"
                      "crm_test_batch_bucket{q=\"x\",le=\"10\"} 1\n"
                      "crm_test_batch_bucket{q=\"x\",le=\"100\"} 2\n"
                      "crm_test_batch_bucket{q=\"x\",le=\"+Inf\"} 2\n"
                      "crm_test_batch_sum{q=\"x\"} 53\n"
                      "crm_test_batch_count{q=\"x\"} 2\n"),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("9bad"), std::string::npos);
  ParseSamples(page);
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  server::MetricsRegistry m;
  m.CounterAdd("crm_test_escaped_total", "Help with \\ and\nnewline.",
               {{"v", "a\"b\\c\nd"}});
  const std::string page = m.RenderPrometheus();
  EXPECT_NE(page.find("crm_test_escaped_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("# HELP crm_test_escaped_total Help with \\\\ and\\n"
                      "newline.\n"),
            std::string::npos)
      << page;
}

TEST(MetricsRegistryTest, LargeCountsAndFractionsKeepTheirDigits) {
  EXPECT_EQ(server::FormatMetricValue(1234567891), "1234567891");
  EXPECT_EQ(server::FormatMetricValue(0.0005), "0.0005");
  EXPECT_EQ(server::FormatMetricValue(0.123456789), "0.123456789");
  EXPECT_EQ(server::FormatMetricValue(-2), "-2");
}

TEST(MetricsRegistryTest, CollectorsRunPerScrapeUntilUnregistered) {
  server::MetricsRegistry m;
  int calls = 0;
  {
    auto reg = m.AddCollector([&] {
      ++calls;
      return std::vector<server::GaugeSample>{
          {"crm_test_live", "Live.", {{"k", "v"}}, static_cast<double>(calls)}};
    });
    EXPECT_NE(m.RenderPrometheus().find("crm_test_live{k=\"v\"} 1\n"),
              std::string::npos);
    EXPECT_NE(m.RenderPrometheus().find("crm_test_live{k=\"v\"} 2\n"),
              std::string::npos);
  }
  EXPECT_EQ(m.RenderPrometheus().find("crm_test_live"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

TEST(AdminListenTest, DefaultIsTheGrpcPortPlus1000) {
  EXPECT_EQ(server::DefaultAdminListen("0.0.0.0:50051"), "0.0.0.0:51051");
  EXPECT_EQ(server::DefaultAdminListen("127.0.0.1:50053"), "127.0.0.1:51053");
  EXPECT_EQ(server::DefaultAdminListen("[::]:50056"), "[::]:51056");
  EXPECT_EQ(server::DefaultAdminListen("127.0.0.1:0"), "");
  EXPECT_EQ(server::DefaultAdminListen("127.0.0.1:64600"), "");
  EXPECT_EQ(server::DefaultAdminListen("nonsense"), "");
}

server::ServerOptions ReadOptions(std::vector<std::string> args) {
  ConfigReader config(std::move(args),
                      [](const std::string&) { return std::nullopt; });
  return server::ServerOptions::Read(config, "0.0.0.0:50053");
}

TEST(AdminListenTest, ReadFromConfig) {
  server::ServerOptions o = ReadOptions({});
  EXPECT_EQ(o.admin_listen, "0.0.0.0:51053");
  EXPECT_FALSE(o.admin_listen_required);
  o = ReadOptions({"--listen=127.0.0.1:6000"});
  EXPECT_EQ(o.admin_listen, "127.0.0.1:7000");
  o = ReadOptions({"--admin_listen=0.0.0.0:9100"});
  EXPECT_EQ(o.admin_listen, "0.0.0.0:9100");
  EXPECT_TRUE(o.admin_listen_required);
  // Set explicitly, even to the default address: it must be bound.
  o = ReadOptions({"--admin_listen=0.0.0.0:51053"});
  EXPECT_EQ(o.admin_listen, "0.0.0.0:51053");
  EXPECT_TRUE(o.admin_listen_required);
  o = ReadOptions({"--admin_listen=auto", "--listen=127.0.0.1:0"});
  EXPECT_EQ(o.admin_listen, "");
  EXPECT_FALSE(o.admin_listen_required);
  o = ReadOptions({"--admin_listen=off"});
  EXPECT_EQ(o.admin_listen, "");
  EXPECT_FALSE(o.admin_listen_required);
}

TEST(AdminServerTest, BadAddressesAreRejected) {
  EXPECT_EQ(server::AdminServer::Start("no-port", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      server::AdminServer::Start("127.0.0.1:70000", nullptr).status().code(),
      absl::StatusCode::kInvalidArgument);
  auto first = server::AdminServer::Start("127.0.0.1:0", nullptr);
  ASSERT_TRUE(first.ok());
  // Without a health callback /healthz answers NOT_SERVING.
  EXPECT_EQ(Get((*first)->port(), "/healthz").status, 503);
  auto taken = server::AdminServer::Start(
      absl::StrCat("127.0.0.1:", (*first)->port()), nullptr);
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kUnavailable);
}

TEST(AdminServerTest, HostFailsOnlyWhenTheAdminPortWasConfigured) {
  auto squatter = server::AdminServer::Start("127.0.0.1:0", nullptr);
  ASSERT_TRUE(squatter.ok());
  auto codec = auth::TokenCodec::Create(kTestTokenKey);
  ASSERT_TRUE(codec.ok());
  auto tokens = std::make_shared<const auth::TokenCodec>(*codec);
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Milliseconds(100);
  options.admin_listen = absl::StrCat("127.0.0.1:", (*squatter)->port());

  options.admin_listen_required = true;
  server::ServiceHost strict(options, tokens);
  EXPECT_EQ(strict.Start().code(), absl::StatusCode::kUnavailable);

  options.admin_listen_required = false;
  server::ServiceHost lenient(options, tokens);
  ASSERT_TRUE(lenient.Start().ok());
  EXPECT_EQ(lenient.admin_port(), 0);
  EXPECT_TRUE(lenient.serving());
}

}  // namespace
}  // namespace crm::testing
