#include "common/customfields/service.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
#include "common/status/status.h"

namespace crm::customfields {
namespace {

namespace pb = crm::customfields::v1;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = absl::ToUnixMicros(t);
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int32_t>((us % 1000000) * 1000));
}

bool IsManagerOrAdmin(const auth::Principal& p) {
  return p.IsAdmin() || p.HasRole(auth::kRoleBoss) ||
         p.HasRole(auth::kRoleSalesManager) ||
         p.HasRole(auth::kRoleSupportManager);
}

}  // namespace

Definition DefinitionFromProto(const pb::FieldDefinition& in) {
  Definition d;
  d.id = in.id();
  d.entity_type = in.entity_type();
  d.key = in.key();
  d.label = in.label();
  d.type = static_cast<FieldType>(in.type());
  d.required = in.required();
  d.min_length = in.min_length();
  d.max_length = in.max_length();
  if (in.has_min_value()) d.min_value = in.min_value();
  if (in.has_max_value()) d.max_value = in.max_value();
  d.pattern = in.pattern();
  d.options.assign(in.options().begin(), in.options().end());
  d.sensitive = in.sensitive();
  d.active = in.active();
  return d;
}

void ToProto(const Definition& d, pb::FieldDefinition* out) {
  out->set_id(d.id);
  out->set_entity_type(d.entity_type);
  out->set_key(d.key);
  out->set_label(d.label);
  out->set_type(static_cast<pb::FieldType>(d.type));
  out->set_required(d.required);
  out->set_min_length(d.min_length);
  out->set_max_length(d.max_length);
  if (d.min_value) out->set_min_value(*d.min_value);
  if (d.max_value) out->set_max_value(*d.max_value);
  out->set_pattern(d.pattern);
  for (const std::string& o : d.options) out->add_options(o);
  out->set_sensitive(d.sensitive);
  out->set_active(d.active);
  SetTime(d.created_at, out->mutable_create_time());
  SetTime(d.updated_at, out->mutable_update_time());
}

CustomFieldServiceImpl::CustomFieldServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool,
    std::shared_ptr<const Clock> clock,
    std::map<std::string, const google::protobuf::Descriptor*> entities)
    : store_(std::move(pool), std::move(clock)),
      entities_(std::move(entities)) {}

absl::Status CustomFieldServiceImpl::CheckEntity(
    const std::string& entity_type, const std::string& field) const {
  if (entities_.count(entity_type) == 0) {
    std::vector<std::string> names;
    for (const auto& [name, d] : entities_) names.push_back(name);
    return InvalidField(
        field, absl::StrCat("this service holds ", absl::StrJoin(names, ", ")));
  }
  return absl::OkStatus();
}

grpc::Status CustomFieldServiceImpl::CreateFieldDefinition(
    grpc::ServerContext* ctx, const pb::CreateFieldDefinitionRequest* req,
    pb::FieldDefinition* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may define fields");
    Definition d = DefinitionFromProto(req->definition());
    d.active = true;
    RETURN_IF_ERROR(ValidateDefinition(&d));
    RETURN_IF_ERROR(CheckEntity(d.entity_type, "definition.entity_type"));
    ASSIGN_OR_RETURN(Definition created, store_.Create(d));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status CustomFieldServiceImpl::ListFieldDefinitions(
    grpc::ServerContext* ctx, const pb::ListFieldDefinitionsRequest* req,
    pb::ListFieldDefinitionsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    RETURN_IF_ERROR(CheckEntity(req->entity_type(), "entity_type"));
    ASSIGN_OR_RETURN(std::vector<Definition> defs,
                     store_.List(req->entity_type(), req->include_inactive()));
    for (const Definition& d : defs) ToProto(d, resp->add_definitions());
    return absl::OkStatus();
  });
}

grpc::Status CustomFieldServiceImpl::UpdateFieldDefinition(
    grpc::ServerContext* ctx, const pb::UpdateFieldDefinitionRequest* req,
    pb::FieldDefinition* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin())
      return absl::PermissionDeniedError("only admins may change fields");
    Definition in = DefinitionFromProto(req->definition());
    ASSIGN_OR_RETURN(Definition current,
                     store_.Find(in.id, in.entity_type, in.key));
    RETURN_IF_ERROR(CheckEntity(current.entity_type, "definition.entity_type"));
    if (in.type != current.type &&
        req->definition().type() != pb::FIELD_TYPE_UNSPECIFIED) {
      return InvalidField("definition.type", "cannot change");
    }
    Definition next = in;
    next.id = current.id;
    next.entity_type = current.entity_type;
    next.key = current.key;
    next.type = current.type;
    RETURN_IF_ERROR(ValidateDefinition(&next));
    ASSIGN_OR_RETURN(Definition updated, store_.Update(next));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status CustomFieldServiceImpl::SetFieldPermission(
    grpc::ServerContext* ctx, const pb::SetFieldPermissionRequest* req,
    pb::FieldPermission* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!p.IsAdmin()) {
      return absl::PermissionDeniedError(
          "only admins may set field permissions");
    }
    const pb::FieldPermission& in = req->permission();
    RETURN_IF_ERROR(CheckEntity(in.entity_type(), "permission.entity_type"));
    if (!auth::IsKnownRole(in.role()))
      return InvalidField("permission.role", "not a known role");
    if (in.role() == auth::kRoleAdmin)
      return InvalidField("permission.role", "admins always have full access");
    const int access = static_cast<int>(in.access());
    if (access < 0 || access > 4)
      return InvalidField("permission.access", "not a known access");
    if (absl::StartsWith(in.field(), kCustomPrefix)) {
      const std::string key = in.field().substr(kCustomPrefixLen);
      auto d = store_.Find(0, in.entity_type(), key);
      if (absl::IsNotFound(d.status()))
        return InvalidField("permission.field", "no such custom field");
      RETURN_IF_ERROR(d.status());
    } else {
      std::vector<std::string> names =
          BuiltInFields(*entities_.at(in.entity_type()));
      if (std::find(names.begin(), names.end(), in.field()) == names.end()) {
        return InvalidField("permission.field",
                            absl::StrCat("not a field of ", in.entity_type()));
      }
    }
    Rule rule{in.field(), in.role(), static_cast<Access>(access)};
    RETURN_IF_ERROR(store_.SetRule(in.entity_type(), rule,
                                   /*remove=*/access == 0, p.user_id));
    ASSIGN_OR_RETURN(std::vector<Rule> rules,
                     store_.ListRules(in.entity_type()));
    ASSIGN_OR_RETURN(std::vector<Definition> defs,
                     store_.List(in.entity_type(), false));
    std::set<std::string> sensitive;
    for (const Definition& d : defs)
      if (d.sensitive) sensitive.insert(d.key);
    FieldPolicy policy(in.entity_type(), rules, sensitive);
    resp->set_entity_type(in.entity_type());
    resp->set_field(in.field());
    resp->set_role(in.role());
    resp->set_access(
        static_cast<pb::FieldAccess>(policy.RoleAccess(in.role(), in.field())));
    resp->set_is_default(access == 0);
    return absl::OkStatus();
  });
}

grpc::Status CustomFieldServiceImpl::ListFieldPermissions(
    grpc::ServerContext* ctx, const pb::ListFieldPermissionsRequest* req,
    pb::ListFieldPermissionsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!IsManagerOrAdmin(p)) {
      return absl::PermissionDeniedError(
          "only admins and managers may list field permissions");
    }
    RETURN_IF_ERROR(CheckEntity(req->entity_type(), "entity_type"));
    ASSIGN_OR_RETURN(std::vector<Definition> defs,
                     store_.List(req->entity_type(), false));
    ASSIGN_OR_RETURN(std::vector<Rule> rules,
                     store_.ListRules(req->entity_type()));
    std::set<std::pair<std::string, std::string>> set_rules;
    for (const Rule& r : rules) set_rules.insert({r.field, r.role});
    std::set<std::string> sensitive;
    for (const Definition& d : defs)
      if (d.sensitive) sensitive.insert(d.key);
    FieldPolicy policy(req->entity_type(), rules, sensitive);
    std::vector<std::string> fields =
        BuiltInFields(*entities_.at(req->entity_type()));
    for (const Definition& d : defs) fields.push_back(kCustomPrefix + d.key);
    for (const std::string& f : fields) {
      for (std::string_view role : auth::KnownRoles()) {
        pb::FieldPermission* out = resp->add_permissions();
        out->set_entity_type(req->entity_type());
        out->set_field(f);
        out->set_role(std::string(role));
        out->set_access(
            static_cast<pb::FieldAccess>(policy.RoleAccess(role, f)));
        out->set_is_default(set_rules.count({f, std::string(role)}) == 0);
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::customfields
