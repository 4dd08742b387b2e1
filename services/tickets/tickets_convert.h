// Conversions between records, ticket-type JSON and protobuf messages.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "crm/tickets/v1/tickets.pb.h"
#include "services/tickets/domain/sla_clock.h"
#include "services/tickets/store/records.h"

namespace crm::tickets {

namespace pb = crm::tickets::v1;

// Validates a type and fills defaults (hours, reopen_days 7, near 80%).
absl::StatusOr<pb::TicketType> NormalizeType(const pb::TicketType& in);
std::string TypeToJson(const pb::TicketType& t);
absl::StatusOr<pb::TicketType> TypeFromJson(const std::string& json);

Hours HoursOf(const pb::TicketType& t);
// SLA budget in seconds of a priority; the type's target or the default
// (urgent 30m/4h, high 1h/8h, normal 4h/24h, low 8h/72h business time).
int64_t FirstResponseBudget(const pb::TicketType& t, int priority);
int64_t ResolutionBudget(const pb::TicketType& t, int priority);
int NearPercent(const pb::TicketType& t);

// The two SLA clocks of a ticket.
SlaClock FirstResponseClock(const TicketRecord& r);
SlaClock ResolutionClock(const TicketRecord& r);

void ToProto(const TicketRecord& r, const Hours& hours, absl::Time now,
             pb::Ticket* out);
void ToProto(const CommentRecord& r, pb::Comment* out);
void ToProto(const HistoryRecord& r, pb::HistoryEntry* out);

// Attachments by reference, as JSON; INVALID_ARGUMENT on a bad one.
absl::StatusOr<std::string> AttachmentsJson(
    const google::protobuf::RepeatedPtrField<pb::Attachment>& list,
    const std::string& field);
void AttachmentsFromJson(
    const std::string& json,
    google::protobuf::RepeatedPtrField<pb::Attachment>* out);

}  // namespace crm::tickets
