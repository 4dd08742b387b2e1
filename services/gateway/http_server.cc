#include "services/gateway/http_server.h"

#include <httplib.h>

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "services/gateway/json_errors.h"

namespace crm::gateway {
namespace {

constexpr char kIdentityService[] = "crm.identity.v1.IdentityService";

std::set<std::string> SplitKeys(const std::string& list) {
  std::set<std::string> out;
  for (absl::string_view k : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    std::string key(absl::StripAsciiWhitespace(k));
    if (!key.empty()) out.insert(key);
  }
  return out;
}

void WriteError(httplib::Response& res, grpc::StatusCode code,
                std::string_view message, int http_status) {
  res.status = http_status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(ErrorJson(code, message, http_status), "application/json");
}

}  // namespace

void WriteReply(httplib::Response& res, const BridgeReply& reply) {
  res.status = reply.http_status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(reply.body, "application/json");
}

GatewayServer::GatewayServer(
    GatewaySettings settings, std::shared_ptr<const auth::TokenCodec> tokens,
    redis::RedisPool* redis,
    std::shared_ptr<auth::ServiceCredentials> credentials)
    : settings_(std::move(settings)),
      tokens_(std::move(tokens)),
      cors_(CorsPolicy::Parse(settings_.cors_origins)),
      limiter_(redis, settings_.limits),
      bridge_(settings_.backends),
      public_leads_(&bridge_, std::move(credentials),
                    SplitKeys(settings_.public_campaign_keys),
                    settings_.default_timeout),
      static_files_(settings_.web_dir),
      http_(std::make_unique<httplib::Server>()) {
  const int threads = settings_.http_threads;
  // httplib owns the queue it is handed (its API takes a raw pointer).
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  http_->set_payload_max_length(static_cast<size_t>(settings_.max_body_bytes));
  http_->set_keep_alive_max_count(1000);
  // Headers and body go out as separate writes: without TCP_NODELAY, Nagle
  // plus the peer's delayed ACK stalls every reply by ~40 ms.
  http_->set_tcp_nodelay(true);
  AddRoutes();
}

GatewayServer::~GatewayServer() { Stop(); }

void GatewayServer::AddRoutes() {
  http_->set_pre_routing_handler([this](const httplib::Request& req,
                                        httplib::Response& res) {
    return Preflight(req, res) ? httplib::Server::HandlerResponse::Handled
                               : httplib::Server::HandlerResponse::Unhandled;
  });
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(R"({"status":"SERVING"})", "application/json");
  });
  http_->Post("/v1/login",
              [this](const httplib::Request& req, httplib::Response& res) {
                HandleLogin(req, res);
              });
  http_->Post("/v1/public/leads",
              [this](const httplib::Request& req, httplib::Response& res) {
                HandlePublicLead(req, res);
              });
  http_->Post(R"(/v1/.+)",
              [this](const httplib::Request& req, httplib::Response& res) {
                HandleRpc(req, res);
              });
  http_->Get(R"(/v1/describe/([^/]+)/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               if (!Limit(LimitKind::kIp, ClientIp(req), res)) return;
               WriteReply(res, GrpcBridge::Describe(req.matches[1].str(),
                                                    req.matches[2].str()));
             });
  http_->Get(R"(/v1/.*)", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Allow", "POST, OPTIONS");
    WriteError(res, grpc::StatusCode::UNIMPLEMENTED,
               "API calls use POST with a JSON body", 405);
  });
  http_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
    HandleStatic("index.html", res);
  });
  http_->Get("/index.html",
             [this](const httplib::Request&, httplib::Response& res) {
               HandleStatic("index.html", res);
             });
  http_->Get(R"(/static/(.+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               HandleStatic(req.matches[1].str(), res);
             });
  // Anything that ended in an error without a body (no route, body too
  // large, bad request line) gets the JSON error body too.
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
        std::string message = "request failed";
        switch (res.status) {
          case 400:
            code = grpc::StatusCode::INVALID_ARGUMENT;
            message = "malformed HTTP request";
            break;
          case 404:
            code = grpc::StatusCode::NOT_FOUND;
            message = absl::StrCat("no route for ", req.method, " ", req.path);
            break;
          case 413:
            code = grpc::StatusCode::RESOURCE_EXHAUSTED;
            message = "request body is too large";
            break;
          case 414:
            code = grpc::StatusCode::RESOURCE_EXHAUSTED;
            message = "request URI is too long";
            break;
          default:
            break;
        }
        WriteError(res, code, message, res.status);
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        WriteError(res, grpc::StatusCode::INTERNAL, "internal error", 500);
      });
  http_->set_logger(
      [](const httplib::Request& req, const httplib::Response& res) {
        log::Info("http", {{"method", req.method},
                           {"path", req.path},
                           {"status", res.status},
                           {"peer", req.remote_addr}});
      });
}

bool GatewayServer::Preflight(const httplib::Request& req,
                              httplib::Response& res) {
  const std::string origin = req.get_header_value("Origin");
  if (req.method != "OPTIONS") {
    for (auto& [k, v] : cors_.ResponseHeaders(origin)) res.set_header(k, v);
    return false;
  }
  if (origin.empty()) {
    res.status = 204;
    res.set_header("Allow", "GET, POST, OPTIONS");
    return true;
  }
  HeaderList h = cors_.PreflightHeaders(origin);
  if (h.empty()) {
    WriteError(res, grpc::StatusCode::PERMISSION_DENIED,
               absl::StrCat("origin ", origin, " is not allowed"), 403);
    return true;
  }
  for (auto& [k, v] : h) res.set_header(k, v);
  res.status = 204;
  return true;
}

std::string GatewayServer::ClientIp(const httplib::Request& req) const {
  if (settings_.trust_forwarded_for) {
    std::string fwd = req.get_header_value("X-Forwarded-For");
    if (!fwd.empty()) {
      std::string first(absl::StripAsciiWhitespace(
          std::vector<std::string>(absl::StrSplit(fwd, ','))[0]));
      if (!first.empty()) return first;
    }
  }
  return req.remote_addr;
}

bool GatewayServer::Limit(LimitKind kind, const std::string& subject,
                          httplib::Response& res) {
  LimitResult r = limiter_.Check(kind, subject);
  if (r.allowed) return true;
  res.set_header("Retry-After", std::to_string(r.retry_after_seconds));
  WriteError(res, grpc::StatusCode::RESOURCE_EXHAUSTED,
             absl::StrCat("rate limit exceeded; retry after ",
                          r.retry_after_seconds, " s"),
             429);
  return false;
}

bool GatewayServer::Authorize(const httplib::Request& req,
                              httplib::Response& res, CallOptions* options) {
  if (!req.has_header("Authorization")) return true;  // the backend decides
  const std::string header = req.get_header_value("Authorization");
  std::optional<std::string> token = BearerToken(header);
  if (!token) {
    WriteError(res, grpc::StatusCode::UNAUTHENTICATED,
               "Authorization: expected \"Bearer <token>\"", 401);
    return false;
  }
  absl::StatusOr<auth::Principal> p = tokens_->Verify(*token);
  if (!p.ok()) {
    WriteError(res, grpc::StatusCode::UNAUTHENTICATED,
               std::string(p.status().message()), 401);
    return false;
  }
  const std::string subject = p->IsService() ? absl::StrCat("svc:", p->service)
                                             : absl::StrCat(p->user_id);
  if (!Limit(LimitKind::kUser, subject, res)) return false;
  options->authorization = absl::StrCat("Bearer ", *token);
  return true;
}

bool GatewayServer::Deadline(const httplib::Request& req,
                             httplib::Response& res, CallOptions* options) {
  options->timeout = settings_.default_timeout;
  if (!req.has_header("grpc-timeout")) return true;
  std::optional<absl::Duration> t =
      ParseGrpcTimeout(req.get_header_value("grpc-timeout"));
  if (!t) {
    WriteError(res, grpc::StatusCode::INVALID_ARGUMENT,
               "grpc-timeout: expected digits and a unit (H, M, S, m, u, n), "
               "e.g. 500m",
               400);
    return false;
  }
  options->timeout = std::min(*t, settings_.max_timeout);
  return true;
}

void GatewayServer::HandleRpc(const httplib::Request& req,
                              httplib::Response& res) {
  std::optional<RpcRoute> route = ParseRpcPath(req.path);
  if (!route) {
    WriteError(res, grpc::StatusCode::NOT_FOUND,
               absl::StrCat("no route for POST ", req.path,
                            "; use /v1/<package.Service>/<Method>"),
               404);
    return;
  }
  const std::string ip = ClientIp(req);
  const bool login =
      route->service == kIdentityService &&
      (route->method == "Login" || route->method == "RefreshToken");
  // Authenticated calls count per user; anonymous ones per IP (a whole
  // office behind one NAT address must not share one budget; ADR 0042).
  const bool anonymous = !req.has_header("Authorization");
  if (login || anonymous) {
    if (!Limit(login ? LimitKind::kLogin : LimitKind::kIp, ip, res)) return;
  }
  CallOptions options;
  options.client_ip = ip;
  if (!Authorize(req, res, &options)) return;
  if (!Deadline(req, res, &options)) return;
  WriteReply(res, bridge_.CallJson(*route, req.body, options));
}

void GatewayServer::HandleLogin(const httplib::Request& req,
                                httplib::Response& res) {
  const std::string ip = ClientIp(req);
  if (!Limit(LimitKind::kLogin, ip, res)) return;
  CallOptions options;
  options.client_ip = ip;
  if (!Deadline(req, res, &options)) return;
  RpcRoute route{kIdentityService, "Login", "crm.identity.v1"};
  WriteReply(res, bridge_.CallJson(route, req.body, options));
}

void GatewayServer::HandlePublicLead(const httplib::Request& req,
                                     httplib::Response& res) {
  const std::string ip = ClientIp(req);
  if (!Limit(LimitKind::kPublicLeads, ip, res)) return;
  WriteReply(res, public_leads_.Submit(req.body, ip));
}

void GatewayServer::HandleStatic(const std::string& relative,
                                 httplib::Response& res) {
  std::optional<StaticFile> f = static_files_.Load(relative);
  if (!f) {
    WriteError(res, grpc::StatusCode::NOT_FOUND,
               absl::StrCat("no file ", relative), 404);
    return;
  }
  res.set_header("Cache-Control", f->cache_control);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::move(f->body), f->content_type);
}

absl::Status GatewayServer::Start() {
  const size_t colon = settings_.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(settings_.listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: expected host:port, got ", settings_.listen));
  }
  std::string host = settings_.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (port == 0) {
    port = http_->bind_to_any_port(host);
    if (port <= 0)
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", settings_.listen));
  } else if (!http_->bind_to_port(host, port)) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", settings_.listen));
  }
  port_ = port;
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  log::Info("crm-gateway listening",
            {{"address", absl::StrCat(host, ":", port_)},
             {"web_dir", settings_.web_dir}});
  return absl::OkStatus();
}

void GatewayServer::Stop() {
  if (!thread_.joinable()) return;
  http_->stop();
  thread_.join();
}

}  // namespace crm::gateway
