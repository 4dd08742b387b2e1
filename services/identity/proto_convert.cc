#include "services/identity/proto_convert.h"

namespace crm::identity {

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1'000'000'000);
  out->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
}

crm::common::v1::DataScope ToProtoScope(auth::DataScope scope) {
  switch (scope) {
    case auth::DataScope::kSelf:
      return crm::common::v1::DATA_SCOPE_SELF;
    case auth::DataScope::kSubtree:
      return crm::common::v1::DATA_SCOPE_SUBTREE;
    case auth::DataScope::kAll:
      return crm::common::v1::DATA_SCOPE_ALL;
  }
  return crm::common::v1::DATA_SCOPE_UNSPECIFIED;
}

void ToProto(const OrgUnitRecord& r, crm::identity::v1::OrgUnit* out) {
  out->set_id(r.id);
  out->set_parent_id(r.parent_id);
  out->set_name(r.name);
  out->set_kind(static_cast<crm::identity::v1::OrgUnitKind>(r.kind));
  out->set_path(r.path);
  out->set_depth(r.depth);
  out->set_region_code(r.region_code);
  out->set_effective_region_code(r.effective_region_code);
  ToTimestamp(r.created_at, out->mutable_create_time());
  ToTimestamp(r.updated_at, out->mutable_update_time());
}

void ToProto(const UserRecord& r, crm::identity::v1::User* out) {
  out->set_id(r.id);
  out->set_username(r.username);
  out->set_display_name(r.display_name);
  out->set_email(r.email);
  out->set_phone(r.phone);
  out->set_org_unit_id(r.org_unit_id);
  out->set_org_path(r.org_path);
  out->set_region_code(r.region_code);
  for (const auto& role : r.roles) out->add_roles(role);
  out->set_data_scope(ToProtoScope(auth::ScopeOfRoles(r.roles)));
  out->set_status(r.status == UserStatus::kActive
                      ? crm::identity::v1::USER_STATUS_ACTIVE
                      : crm::identity::v1::USER_STATUS_INACTIVE);
  ToTimestamp(r.created_at, out->mutable_create_time());
  ToTimestamp(r.updated_at, out->mutable_update_time());
}

void ToProto(const auth::Principal& p, crm::common::v1::Principal* out) {
  out->set_user_id(p.user_id);
  out->set_username(p.username);
  out->set_org_unit_id(p.org_unit_id);
  out->set_org_path(p.org_path);
  for (const auto& role : p.roles) out->add_roles(role);
  out->set_data_scope(ToProtoScope(p.scope));
  out->set_region_code(p.region_code);
}

auth::Principal PrincipalOf(const UserRecord& r) {
  auth::Principal p;
  p.user_id = r.id;
  p.username = r.username;
  p.org_unit_id = r.org_unit_id;
  p.org_path = r.org_path;
  p.roles = r.roles;
  p.scope = auth::ScopeOfRoles(r.roles);
  p.region_code = r.region_code;
  return p;
}

}  // namespace crm::identity
