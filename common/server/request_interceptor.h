// The one server interceptor every service installs. Per call it:
//  1. verifies the bearer token when the metadata arrives (unless the method
//     is public: health, reflection, Login...) and records the caller for
//     auth::CallerOf();
//  2. forces UNAUTHENTICATED as the final status when a protected method was
//     called without a valid token, whatever the handler answered;
//  3. logs one structured line (method, code, latency, user) and records
//     request metrics.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <set>
#include <string>

#include "common/auth/token.h"

namespace crm::server {

class RequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `public_methods` are full method names ("/pkg.Service/Method"); every
  // grpc.health.v1 and reflection method is public as well.
  RequestInterceptorFactory(std::shared_ptr<const auth::TokenCodec> tokens,
                            std::set<std::string> public_methods);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  bool IsPublic(std::string_view method) const;

 private:
  std::shared_ptr<const auth::TokenCodec> tokens_;
  std::set<std::string> public_methods_;
};

}  // namespace crm::server
