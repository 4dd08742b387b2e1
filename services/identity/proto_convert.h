// Record <-> protobuf conversions for the identity API.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "crm/common/v1/common.pb.h"
#include "crm/identity/v1/identity.pb.h"
#include "services/identity/store/records.h"

namespace crm::identity {

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out);
crm::common::v1::DataScope ToProtoScope(auth::DataScope scope);
void ToProto(const OrgUnitRecord& r, crm::identity::v1::OrgUnit* out);
void ToProto(const UserRecord& r, crm::identity::v1::User* out);
void ToProto(const auth::Principal& p, crm::common::v1::Principal* out);
auth::Principal PrincipalOf(const UserRecord& r);

}  // namespace crm::identity
