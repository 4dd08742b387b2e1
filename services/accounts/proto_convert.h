// Record <-> protobuf conversions for the accounts API.
#pragma once

#include "absl/status/statusor.h"
#include "crm/accounts/v1/accounts.pb.h"
#include "services/accounts/domain/account_rules.h"
#include "services/accounts/store/activity_store.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

void ToProto(const AccountRecord& r, bool show_sensitive,
             crm::accounts::v1::Account* out);
// Reads the draft fields of a request (no ids, owner or pool).
AccountRecord DraftFromProto(const crm::accounts::v1::Account& in);
void ToProto(const PoolRecord& r, crm::accounts::v1::Pool* out);
ClaimRules RulesFromProto(const crm::accounts::v1::ClaimRules& in);
// Validated recycle rules as the JSON stored in pools.recycle_rules.
absl::StatusOr<std::string> RecycleRulesJsonFromProto(
    const google::protobuf::RepeatedPtrField<crm::accounts::v1::RecycleRule>&
        in);
void ToProto(const PoolMoveRecord& r, crm::accounts::v1::PoolMove* out);
void ToProto(const Candidate& c, bool show_owner,
             crm::accounts::v1::DuplicateCandidate* out);

void ToProto(const VisitRecord& r, crm::accounts::v1::Visit* out);

}  // namespace crm::accounts
