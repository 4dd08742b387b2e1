// For the customfields_* and fieldperm_* integration tests: the shared
// CustomFieldService served in-process on a service's test schema (as the
// service's main.cc registers it), plus small call helpers.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/customfields/service.h"
#include "common/server/server.h"
#include "crm/customfields/v1/customfields.grpc.pb.h"
#include "tests/testing/identity_harness.h"

namespace crm::testing {

class CustomFieldHost {
 public:
  CustomFieldHost(
      std::shared_ptr<db::ConnectionPool> pool,
      std::shared_ptr<const Clock> clock,
      std::map<std::string, const google::protobuf::Descriptor*> entities)
      : service_(pool, clock, std::move(entities)) {
    auto codec = auth::TokenCodec::Create(kTestTokenKey, clock);
    server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.shutdown_grace = absl::Seconds(1);
    host_ = std::make_unique<server::ServiceHost>(
        options, std::make_shared<const auth::TokenCodec>(*codec));
    host_->AddService(&service_);
    EXPECT_TRUE(host_->Start().ok());
    stub_ = crm::customfields::v1::CustomFieldService::NewStub(
        client::MakeChannel(host_->address()));
  }

  crm::customfields::v1::CustomFieldService::Stub& stub() { return *stub_; }

  grpc::Status Define(const std::string& token,
                      const crm::customfields::v1::FieldDefinition& d,
                      crm::customfields::v1::FieldDefinition* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    crm::customfields::v1::CreateFieldDefinitionRequest req;
    *req.mutable_definition() = d;
    crm::customfields::v1::FieldDefinition ignored;
    return stub_->CreateFieldDefinition(&ctx, req, out ? out : &ignored);
  }
  grpc::Status Permit(const std::string& token, const std::string& entity,
                      const std::string& field, const std::string& role,
                      crm::customfields::v1::FieldAccess access) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    crm::customfields::v1::SetFieldPermissionRequest req;
    req.mutable_permission()->set_entity_type(entity);
    req.mutable_permission()->set_field(field);
    req.mutable_permission()->set_role(role);
    req.mutable_permission()->set_access(access);
    crm::customfields::v1::FieldPermission out;
    return stub_->SetFieldPermission(&ctx, req, &out);
  }

 private:
  customfields::CustomFieldServiceImpl service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<crm::customfields::v1::CustomFieldService::Stub> stub_;
};

// A definition draft.
inline crm::customfields::v1::FieldDefinition FieldDef(
    const std::string& entity, const std::string& key,
    crm::customfields::v1::FieldType type,
    std::vector<std::string> options = {}) {
  crm::customfields::v1::FieldDefinition d;
  d.set_entity_type(entity);
  d.set_key(key);
  d.set_label(key);
  d.set_type(type);
  for (const std::string& o : options) d.add_options(o);
  return d;
}

}  // namespace crm::testing
