#include "common/auth/call_context.h"

#include <mutex>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace crm::auth {
namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<const grpc::ServerContextBase*, absl::StatusOr<Principal>>
      callers;
};

Registry& TheRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace

absl::StatusOr<Principal> CallerOf(const grpc::ServerContextBase* context) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.callers.find(context);
  if (it == r.callers.end()) return absl::UnauthenticatedError("missing token");
  return it->second;
}

void RecordCaller(const grpc::ServerContextBase* context,
                  absl::StatusOr<Principal> caller) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.callers.insert_or_assign(context, std::move(caller));
}

void ForgetCaller(const grpc::ServerContextBase* context) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.callers.erase(context);
}

std::string BearerToken(std::string_view header) {
  absl::string_view h = absl::StripAsciiWhitespace(
      absl::string_view(header.data(), header.size()));
  constexpr absl::string_view kPrefix = "bearer ";
  if (h.size() <= kPrefix.size() || !absl::StartsWithIgnoreCase(h, kPrefix))
    return "";
  return std::string(absl::StripAsciiWhitespace(h.substr(kPrefix.size())));
}

}  // namespace crm::auth
