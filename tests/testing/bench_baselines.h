// Baselines the benchmarks share (tests/testing/load_gen.h runs them).
#pragma once

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "tests/testing/load_gen.h"

namespace crm::testing::bench {

// The name records give the health-check baseline.
inline constexpr char kHealthBaseline[] = "grpc.health.v1 Check";

// grpc.health.v1 Health/Check (service "") on `channel`, asynchronously
// with the load generator: the cost of a unary call through the same
// server stack (interceptors, auth-free) with no work behind it.
LoadResult RunHealthCheck(const std::shared_ptr<grpc::Channel>& channel,
                          const LoadOptions& options);

// The load options of unary-RPC scenarios: closed loop, `in_flight` calls
// outstanding, 300 ms warm-up, `seconds` measured (CRM_BENCH_SECONDS
// overrides).
LoadOptions UnaryOptions(int in_flight = 8, double seconds = 3);

}  // namespace crm::testing::bench
