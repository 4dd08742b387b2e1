// crm.customfields.v1.CustomFieldService: implemented once, registered by
// every service for the entity types it owns, on that service's schema.
#pragma once

#include <google/protobuf/descriptor.h>

#include <map>
#include <memory>
#include <string>

#include "common/clock/clock.h"
#include "common/customfields/store.h"
#include "common/db/pool.h"
#include "crm/customfields/v1/customfields.grpc.pb.h"

namespace crm::customfields {

class CustomFieldServiceImpl final
    : public crm::customfields::v1::CustomFieldService::Service {
 public:
  // `entities`: entity type -> its proto message (for the built-in field
  // names permissions may address), e.g. {"account", Account::descriptor()}.
  CustomFieldServiceImpl(
      std::shared_ptr<db::ConnectionPool> pool,
      std::shared_ptr<const Clock> clock,
      std::map<std::string, const google::protobuf::Descriptor*> entities);

  grpc::Status CreateFieldDefinition(
      grpc::ServerContext* ctx, const v1::CreateFieldDefinitionRequest* req,
      v1::FieldDefinition* resp) override;
  grpc::Status ListFieldDefinitions(
      grpc::ServerContext* ctx, const v1::ListFieldDefinitionsRequest* req,
      v1::ListFieldDefinitionsResponse* resp) override;
  grpc::Status UpdateFieldDefinition(
      grpc::ServerContext* ctx, const v1::UpdateFieldDefinitionRequest* req,
      v1::FieldDefinition* resp) override;
  grpc::Status SetFieldPermission(grpc::ServerContext* ctx,
                                  const v1::SetFieldPermissionRequest* req,
                                  v1::FieldPermission* resp) override;
  grpc::Status ListFieldPermissions(
      grpc::ServerContext* ctx, const v1::ListFieldPermissionsRequest* req,
      v1::ListFieldPermissionsResponse* resp) override;

 private:
  absl::Status CheckEntity(const std::string& entity_type,
                           const std::string& field) const;

  CustomFieldStore store_;
  std::map<std::string, const google::protobuf::Descriptor*> entities_;
};

// Conversions (also used by tests).
Definition DefinitionFromProto(const v1::FieldDefinition& in);
void ToProto(const Definition& d, v1::FieldDefinition* out);

}  // namespace crm::customfields
