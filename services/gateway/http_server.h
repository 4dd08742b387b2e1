// The gateway's HTTP/1.1 server (cpp-httplib, a fixed pool of worker
// threads; ADR 0040): routes, CORS, limits, auth pre-checks and the JSON
// replies, over GrpcBridge for the calls themselves.
//
//   POST /v1/<package.Service>/<Method>   any public unary RPC, JSON in/out
//   POST /v1/login                        identity Login ({username, password})
//   POST /v1/public/leads                 landing-page lead capture (no login)
//   GET  /v1/describe/<package.Service>/<Method>   the method's fields
//   GET  /healthz                         {"status":"SERVING"}
//   GET  /, /static/<path>                the dashboard page
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/auth/service_credentials.h"
#include "common/auth/token.h"
#include "common/redis/redis_pool.h"
#include "services/gateway/cors.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/grpc_bridge.h"
#include "services/gateway/public_leads.h"
#include "services/gateway/rate_limit.h"
#include "services/gateway/static_files.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace crm::gateway {

class GatewayServer {
 public:
  // `redis` may be null (no rate limits); it and the others must outlive
  // the server.
  GatewayServer(GatewaySettings settings,
                std::shared_ptr<const auth::TokenCodec> tokens,
                redis::RedisPool* redis,
                std::shared_ptr<auth::ServiceCredentials> credentials);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Binds settings.listen ("host:port"; port 0 picks a free one) and serves
  // on a background thread.
  absl::Status Start();
  // Stops accepting, lets in-flight requests finish, joins the thread.
  void Stop();
  int port() const { return port_; }

 private:
  void AddRoutes();
  void HandleRpc(const httplib::Request& req, httplib::Response& res);
  void HandleLogin(const httplib::Request& req, httplib::Response& res);
  void HandlePublicLead(const httplib::Request& req, httplib::Response& res);
  void HandleStatic(const std::string& relative, httplib::Response& res);
  // CORS headers / preflight; true when the request was answered.
  bool Preflight(const httplib::Request& req, httplib::Response& res);
  // Counts one hit; false (429 written) when over the limit.
  bool Limit(LimitKind kind, const std::string& subject,
             httplib::Response& res);
  // Verifies a bearer token if present (401 when bad) and applies the
  // per-user limit; fills options.authorization.
  bool Authorize(const httplib::Request& req, httplib::Response& res,
                 CallOptions* options);
  // grpc-timeout header -> options.timeout (400 when malformed).
  bool Deadline(const httplib::Request& req, httplib::Response& res,
                CallOptions* options);
  std::string ClientIp(const httplib::Request& req) const;

  GatewaySettings settings_;
  std::shared_ptr<const auth::TokenCodec> tokens_;
  CorsPolicy cors_;
  GatewayRateLimiter limiter_;
  GrpcBridge bridge_;
  PublicLeads public_leads_;
  StaticFiles static_files_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

// Writes a bridge reply (JSON, status, no-store).
void WriteReply(httplib::Response& res, const BridgeReply& reply);

}  // namespace crm::gateway
