#include "common/server/request_interceptor.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/call_context.h"
#include "common/log/log.h"
#include "common/server/metrics.h"

namespace crm::server {
namespace {

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  if (i >= 0 && i < static_cast<int>(std::size(kNames))) return kNames[i];
  return absl::StrCat(i);
}

class RequestInterceptor : public grpc::experimental::Interceptor {
 public:
  RequestInterceptor(grpc::experimental::ServerRpcInfo* info,
                     const RequestInterceptorFactory* factory,
                     std::shared_ptr<const auth::TokenCodec> tokens)
      : info_(info),
        method_(info->method() ? info->method() : ""),
        protected_(!factory->IsPublic(method_)),
        tokens_(std::move(tokens)),
        start_(absl::Now()) {}

  ~RequestInterceptor() override {
    auth::ForgetCaller(info_->server_context());
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authenticate(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (protected_ && !auth_error_.ok()) {
        status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                              std::string(auth_error_.message()));
        methods->ModifySendStatus(status);
      }
      Finish(status);
    }
    methods->Proceed();
  }

 private:
  void Authenticate(
      std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    std::string token;
    if (metadata != nullptr) {
      auto it = metadata->find("authorization");
      if (it != metadata->end()) {
        token = auth::BearerToken(
            std::string_view(it->second.data(), it->second.size()));
      }
    }
    absl::StatusOr<auth::Principal> caller =
        token.empty() ? absl::UnauthenticatedError("missing token")
                      : tokens_->Verify(token);
    if (caller.ok()) user_id_ = caller->user_id;
    // Public methods that still get a valid token (e.g. Logout) may use it.
    auth_error_ = caller.status();
    auth::RecordCaller(info_->server_context(), std::move(caller));
  }

  void Finish(const grpc::Status& status) {
    const absl::Duration latency = absl::Now() - start_;
    const std::string code = CodeName(status.error_code());
    RequestMetrics::Global().Record(method_, code, latency);
    nlohmann::json fields = {{"method", method_},
                             {"code", code},
                             {"ms", absl::ToDoubleMilliseconds(latency)}};
    if (user_id_ != 0) fields["user"] = user_id_;
    if (!status.ok()) fields["error"] = status.error_message();
    if (status.error_code() == grpc::StatusCode::INTERNAL ||
        status.error_code() == grpc::StatusCode::UNKNOWN) {
      log::Error("rpc", fields);
    } else {
      log::Info("rpc", fields);
    }
  }

  grpc::experimental::ServerRpcInfo* info_;
  const std::string method_;
  const bool protected_;
  std::shared_ptr<const auth::TokenCodec> tokens_;
  const absl::Time start_;
  absl::Status auth_error_ = absl::UnauthenticatedError("missing token");
  int64_t user_id_ = 0;
};

}  // namespace

RequestInterceptorFactory::RequestInterceptorFactory(
    std::shared_ptr<const auth::TokenCodec> tokens,
    std::set<std::string> public_methods)
    : tokens_(std::move(tokens)), public_methods_(std::move(public_methods)) {}

bool RequestInterceptorFactory::IsPublic(std::string_view method) const {
  return method.substr(0, 16) == "/grpc.health.v1." ||
         method.substr(0, 17) == "/grpc.reflection." ||
         public_methods_.count(std::string(method)) > 0;
}

grpc::experimental::Interceptor*
RequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // gRPC takes ownership of the interceptor and deletes it when the call ends.
  return std::make_unique<RequestInterceptor>(info, this, tokens_).release();
}

}  // namespace crm::server
