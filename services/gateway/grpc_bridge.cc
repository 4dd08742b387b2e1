#include "services/gateway/grpc_bridge.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/gateway/json_errors.h"
#include "services/gateway/shared_routes.h"

namespace crm::gateway {

namespace pb = google::protobuf;

BridgeReply ErrorReply(grpc::StatusCode code, std::string_view message) {
  BridgeReply r;
  r.code = code;
  r.http_status = HttpStatusFor(code);
  r.body = ErrorJson(code, message);
  return r;
}

GrpcBridge::GrpcBridge(const std::map<std::string, std::string>& backends) {
  std::map<std::string, std::shared_ptr<grpc::Channel>> by_address;
  for (const auto& [package, address] : backends) {
    if (address.empty()) continue;
    auto& ch = by_address[address];
    // Replica lists and DNS names balance round-robin (ADR 0058).
    if (!ch) ch = client::MakeChannel(address);
    channels_[package] = ch;
  }
}

absl::StatusOr<const pb::MethodDescriptor*> GrpcBridge::FindMethod(
    std::string_view service, std::string_view method) {
  const std::string unknown =
      absl::StrCat("no RPC ", std::string(service), "/", std::string(method),
                   " at this gateway");
  if (IsInternalMethod(method)) return absl::NotFoundError(unknown);
  const pb::ServiceDescriptor* s =
      pb::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service));
  if (s == nullptr) return absl::NotFoundError(unknown);
  const pb::MethodDescriptor* m = s->FindMethodByName(std::string(method));
  if (m == nullptr) return absl::NotFoundError(unknown);
  if (m->client_streaming() || m->server_streaming()) {
    return absl::UnimplementedError(absl::StrCat(
        m->full_name(), " is a streaming RPC; call it over gRPC, not JSON"));
  }
  return m;
}

std::unique_ptr<pb::Message> GrpcBridge::NewMessage(
    const pb::Descriptor* type) {
  const pb::Message* prototype =
      pb::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) return nullptr;
  return std::unique_ptr<pb::Message>(prototype->New());
}

namespace {

nlohmann::json DescribeMessage(const pb::Descriptor* d, int depth) {
  nlohmann::json fields = nlohmann::json::array();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    nlohmann::json j = {{"name", f->name()},
                        {"jsonName", f->json_name()},
                        {"type", f->type_name()},
                        {"repeated", f->is_repeated()}};
    if (f->type() == pb::FieldDescriptor::TYPE_ENUM) {
      nlohmann::json values = nlohmann::json::array();
      for (int v = 0; v < f->enum_type()->value_count(); ++v)
        values.push_back(f->enum_type()->value(v)->name());
      j["enumValues"] = values;
    }
    if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
      const pb::Descriptor* m = f->message_type();
      j["messageType"] = m->full_name();
      if (depth < 2 && m->file()->package() != "google.protobuf" &&
          !f->is_map())
        j["fields"] = DescribeMessage(m, depth + 1)["fields"];
    }
    fields.push_back(std::move(j));
  }
  return {{"type", d->full_name()}, {"fields", std::move(fields)}};
}

}  // namespace

BridgeReply GrpcBridge::Describe(std::string_view service,
                                 std::string_view method) {
  absl::StatusOr<const pb::MethodDescriptor*> m = FindMethod(service, method);
  if (!m.ok()) {
    return ErrorReply(static_cast<grpc::StatusCode>(m.status().code()),
                      std::string(m.status().message()));
  }
  nlohmann::json j = {{"method", (*m)->full_name()},
                      {"input", DescribeMessage((*m)->input_type(), 0)},
                      {"output", DescribeMessage((*m)->output_type(), 0)}};
  BridgeReply r;
  r.body = j.dump();
  return r;
}

BridgeReply GrpcBridge::CallJson(const RpcRoute& route, std::string_view json,
                                 const CallOptions& options) const {
  absl::StatusOr<const pb::MethodDescriptor*> method =
      FindMethod(route.service, route.method);
  if (!method.ok()) {
    return ErrorReply(static_cast<grpc::StatusCode>(method.status().code()),
                      std::string(method.status().message()));
  }
  std::unique_ptr<pb::Message> request = NewMessage((*method)->input_type());
  if (request == nullptr) {
    return ErrorReply(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat((*method)->input_type()->full_name(),
                                   " is not linked into the gateway"));
  }
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) json = "{}";
  pb::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  auto parsed = pb::util::JsonStringToMessage(
      pb::StringPiece(json.data(), json.size()), request.get(), parse);
  if (!parsed.ok()) {
    return ErrorReply(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("request body is not a valid JSON ",
                                   (*method)->input_type()->full_name(), ": ",
                                   std::string(parsed.message().data(),
                                               parsed.message().size())));
  }
  return CallMessage(*method, *request, options);
}

BridgeReply RenderReply(const pb::Message& response) {
  pb::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  BridgeReply reply;
  auto printed = pb::util::MessageToJsonString(response, &reply.body, print);
  if (!printed.ok()) {
    return ErrorReply(grpc::StatusCode::INTERNAL,
                      "the backend's reply could not be rendered as JSON");
  }
  return reply;
}

BridgeReply GrpcBridge::CallMessage(const pb::MethodDescriptor* method,
                                    const pb::Message& request,
                                    const CallOptions& options) const {
  const std::string package = method->service()->file()->package();
  if (IsSharedPackage(package)) return CallShared(method, request, options);
  std::unique_ptr<pb::Message> response = NewMessage(method->output_type());
  if (response == nullptr) {
    return ErrorReply(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat(method->output_type()->full_name(),
                                   " is not linked into the gateway"));
  }
  grpc::Status status =
      CallBackend(method, request, package, options, response.get());
  if (!status.ok())
    return ErrorReply(status.error_code(), status.error_message());
  return RenderReply(*response);
}

grpc::Status GrpcBridge::CallBackend(const pb::MethodDescriptor* method,
                                     const pb::Message& request,
                                     const std::string& package,
                                     const CallOptions& options,
                                     pb::Message* response) const {
  auto it = channels_.find(package);
  if (it == channels_.end()) {
    return grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("no backend address configured for ", package));
  }
  grpc::ClientContext ctx;
  if (!options.authorization.empty())
    ctx.AddMetadata("authorization", options.authorization);
  if (!options.client_ip.empty())
    ctx.AddMetadata("x-forwarded-for", options.client_ip);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   absl::ToChronoNanoseconds(options.timeout));

  // The same blocking unary call generated stubs make, on a method named
  // at run time; (de)serialization goes through the protobuf Message
  // interface, so dynamic and generated messages both work.
  const std::string path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  return grpc::internal::BlockingUnaryCall<pb::Message, pb::Message>(
      it->second.get(),
      grpc::internal::RpcMethod(path.c_str(), nullptr,
                                grpc::internal::RpcMethod::NORMAL_RPC),
      &ctx, request, response);
}

}  // namespace crm::gateway
