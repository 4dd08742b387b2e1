// POST /v1/public/leads: a landing-page form becomes a lead, with no login.
// The gateway calls crm.leads.v1.LeadsService/CreateLead with its own
// service token (ADR 0007), building the request from the descriptor pool
// by field name, so this compiles and runs whether or not the leads proto
// is linked (when it is not: 503 UNAVAILABLE).
//
// Accepted body (JSON object, every value a string, at most 500 characters
// each; unknown keys are refused with 400 naming the key):
//   {"campaign_key": "...",   required
//    "company_name": "...", "contact_name": "...", "phone": "...",
//    "email": "...", "city": "...", "notes": "...",
//    "request_id": "..."}     optional; a retry with the same id is one lead
// At least one of company_name/contact_name and one of phone/email are
// required.
//
// Each key is written to the first string field, by name, that exists in
// the request's `lead` message (if the request has one) or in the request
// itself; see kPublicLeadFields for the candidate names.
#pragma once

#include <google/protobuf/message.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/service_credentials.h"
#include "services/gateway/grpc_bridge.h"

namespace crm::gateway {

inline constexpr char kLeadsService[] = "crm.leads.v1.LeadsService";
inline constexpr char kCreateLeadMethod[] = "CreateLead";

// Form key -> candidate proto field names, tried in order.
const std::vector<std::pair<std::string, std::vector<std::string>>>&
PublicLeadFields();

using PublicLeadForm = std::map<std::string, std::string>;

// Parses and checks the form (rules above); the non-empty values by key.
// INVALID_ARGUMENT names the key and the rule.
absl::StatusOr<PublicLeadForm> ParsePublicLeadForm(std::string_view body);

// Writes the form into `request` (a CreateLeadRequest-like message) by
// field name; keys with no matching string field are left out.
void FillLeadRequest(const PublicLeadForm& form,
                     google::protobuf::Message* request);

// ParsePublicLeadForm + FillLeadRequest.
absl::Status BuildPublicLeadRequest(std::string_view body,
                                    google::protobuf::Message* request);

class PublicLeads {
 public:
  // `campaign_keys`: when not empty, only these keys are accepted (others
  // get 403); when empty, leads decides which campaign keys are valid.
  PublicLeads(const GrpcBridge* bridge,
              std::shared_ptr<auth::ServiceCredentials> credentials,
              std::set<std::string> campaign_keys, absl::Duration timeout);

  BridgeReply Submit(std::string_view body, const std::string& client_ip) const;

 private:
  const GrpcBridge* bridge_;
  std::shared_ptr<auth::ServiceCredentials> credentials_;
  std::set<std::string> campaign_keys_;
  absl::Duration timeout_;
};

}  // namespace crm::gateway
