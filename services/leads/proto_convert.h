// Record <-> protobuf conversions for the leads API.
#pragma once

#include "absl/status/statusor.h"
#include "crm/leads/v1/leads.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/leads/store/conversion_store.h"
#include "services/leads/store/records.h"

namespace crm::leads {

void ToProto(const LeadRecord& r, crm::leads::v1::Lead* out);
// The draft fields of a request (no ids, status, owner or pool).
LeadDraft DraftFromProto(const crm::leads::v1::Lead& in);
void ToProto(const ChannelRecord& r, crm::leads::v1::Channel* out);
void ToProto(const CampaignRecord& r, crm::leads::v1::Campaign* out);
void ToProto(const LeadPoolRecord& r, crm::leads::v1::LeadPool* out);
void ToProto(const HistoryRecord& r, crm::leads::v1::LeadHistoryEntry* out);
void ToProto(const RuleSpec& r, crm::leads::v1::AssignmentRule* out);
// Members carry only ids here; the handler fills their org paths.
RuleSpec RuleFromProto(const crm::leads::v1::AssignmentRule& in);

absl::Time FromTimestamp(const google::protobuf::Timestamp& t);
// INVALID_ARGUMENT "<field>: must be a valid time after 1970" otherwise.
absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t);

}  // namespace crm::leads
