#include "tests/testing/bench_baselines.h"

#include <cstdlib>

#include "common/client/client.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace crm::testing::bench {

LoadResult RunHealthCheck(const std::shared_ptr<grpc::Channel>& channel,
                          const LoadOptions& options) {
  using grpc::health::v1::Health;
  using grpc::health::v1::HealthCheckRequest;
  using grpc::health::v1::HealthCheckResponse;
  std::shared_ptr<Health::Stub> stub = Health::NewStub(channel);
  return RunAsync(options, [stub](int64_t, Done done) {
    auto c = std::make_shared<Unary<HealthCheckRequest, HealthCheckResponse>>();
    client::Prepare(&c->ctx, "");
    stub->async()->Check(&c->ctx, &c->req, &c->resp,
                         [c, done](grpc::Status s) { done(s); });
  });
}

LoadOptions UnaryOptions(int in_flight, double seconds) {
  LoadOptions o;
  o.in_flight = in_flight;
  if (const char* env = std::getenv("CRM_BENCH_SECONDS"); env && *env)
    seconds = std::atof(env);
  o.duration = absl::Seconds(seconds);
  o.warmup = absl::Milliseconds(300);
  return o;
}

}  // namespace crm::testing::bench
