// Helpers shared by the OpportunitiesService handlers: input validation
// of dates, money and times, and who counts as a manager.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "crm/common/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/opportunities/domain/stage_rules.h"
#include "services/opportunities/store/records.h"

namespace crm::opportunities {

// Managers, bosses and admins: a data scope wider than their own records.
bool IsManager(const auth::Principal& p);

// "" or a real calendar date "YYYY-MM-DD" (INVALID_ARGUMENT "<field>:
// must be a date YYYY-MM-DD").
absl::Status ValidDate(const std::string& field, const std::string& date,
                       bool required);

// currency_code: 3 upper-case letters; amount_minor >= 0.
absl::Status ValidMoney(const std::string& field,
                        const crm::common::v1::Money& m);

// `t` converted, or INVALID_ARGUMENT "<field>: must be a valid time after
// 1970".
absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t);
void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out);

// Which requirable fields an opportunity has set.
PresentFields PresentOf(const OpportunityRecord& o);

// The domain position of a stored opportunity.
StagePosition PositionOf(const OpportunityRecord& o);

// NOT_FOUND "opportunity <id> not found" (missing and out of scope alike).
absl::Status NotFoundOpportunity(int64_t id);

}  // namespace crm::opportunities
