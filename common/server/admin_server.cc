#include "common/server/admin_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/server/metrics.h"

namespace crm::server {
namespace {

constexpr std::chrono::milliseconds kStartPoll(1);

struct HostPort {
  std::string host;
  int port = -1;
};

// "host:port", "[::]:port" or ":port" (all interfaces).
bool SplitHostPort(const std::string& listen, HostPort* out) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = listen.substr(0, colon);
  int port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return false;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  out->host = host;
  out->port = port;
  return true;
}

}  // namespace

std::string DefaultAdminListen(const std::string& listen) {
  HostPort hp;
  if (!SplitHostPort(listen, &hp) || hp.port == 0 || hp.port + 1000 > 65535)
    return "";
  return absl::StrCat(listen.substr(0, listen.rfind(':')), ":", hp.port + 1000);
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(
    const std::string& listen, std::function<bool()> serving) {
  HostPort hp;
  if (!SplitHostPort(listen, &hp)) {
    return absl::InvalidArgumentError(
        absl::StrCat("admin_listen: must be host:port, got '", listen, "'"));
  }
  std::unique_ptr<AdminServer> admin(new AdminServer());
  admin->http_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *admin->http_;
  // Two workers are plenty for a scraper and a probe; httplib's API takes
  // ownership of a raw pointer here.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // httplib's default sets SO_REUSEPORT, which would let a second process
  // bind the same port and silently take half the scrapes: SO_REUSEADDR
  // only (restart without TIME_WAIT trouble, but a taken port fails).
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_keep_alive_max_count(10);
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderAllMetrics(), "text/plain; version=0.0.4");
  });
  http.Get("/healthz", [serving = std::move(serving)](const httplib::Request&,
                                                      httplib::Response& res) {
    const bool ok = serving && serving();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "SERVING\n" : "NOT_SERVING\n", "text/plain");
  });
  if (hp.port == 0) {
    admin->port_ = http.bind_to_any_port(hp.host);
  } else if (http.bind_to_port(hp.host, hp.port)) {
    admin->port_ = hp.port;
  }
  if (admin->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("admin_listen: cannot listen on ", listen));
  }
  admin->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the loop runs: wait for it, so a destructor
  // right after Start() cannot leave the thread listening forever.
  while (!http.is_running()) std::this_thread::sleep_for(kStartPoll);
  return admin;
}

AdminServer::~AdminServer() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace crm::server
