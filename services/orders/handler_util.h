// Helpers shared by the OrdersService handlers (orders_service*.cc).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "crm/orders/v1/orders.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/orders/domain/contract_rules.h"
#include "services/orders/store/records.h"

namespace crm::orders {

// The contract's owner, or a manager/admin whose scope covers it (callers
// checked visibility already): PERMISSION_DENIED "only the owner or a
// manager may <what>" otherwise.
absl::Status RequireOwnerOrManager(const auth::Principal& p,
                                   const ContractRecord& r,
                                   std::string_view what);

// Finance or admin: PERMISSION_DENIED "only finance and admins may <what>".
absl::Status RequireFinance(const auth::Principal& p, std::string_view what);
// Managers, bosses, finance and admins (wider than SELF scope).
absl::Status RequireManager(const auth::Principal& p, std::string_view what);
absl::Status RequireAdmin(const auth::Principal& p, std::string_view what);

// `t` converted, or INVALID_ARGUMENT "<field>: must be a valid time".
absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t);
// as_of if set (validated), else `now`.
absl::StatusOr<absl::Time> AsOf(const google::protobuf::Timestamp* as_of,
                                bool has, absl::Time now);

// The terms of a contract message (dates parsed, money checked).
absl::StatusOr<ContractTerms> TermsFromProto(
    const crm::orders::v1::Contract& c);
// Terms of a stored contract, and writing terms back into it.
ContractTerms TermsOf(const ContractRecord& r);
void ApplyTerms(const ContractTerms& t, ContractRecord* r);

// Comment: at most 1000 bytes; `required` rejects an empty one.
absl::Status ValidateComment(const std::string& comment, bool required);

}  // namespace crm::orders
