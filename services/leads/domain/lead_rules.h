// Pure rules of a lead: the cleansing every entry path (CreateLead,
// ImportLeads, UpdateLead) applies, the de-duplication keys, and the
// extra phone placeholders leads reject on top of common/validate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace crm::leads {

enum class LeadKind { kCompany = 1, kPerson = 2 };

// What a capture carries before it becomes a lead.
struct LeadDraft {
  LeadKind kind = LeadKind::kCompany;
  std::string company_name;
  std::string company_norm;  // set by CleanseDraft
  std::string contact_name;
  std::string phone;  // E.164 after CleanseDraft
  std::string email;
  std::string region_code;
  std::string city;
  std::string notes;
  std::map<std::string, std::string> custom;
  std::string industry;
  int32_t company_size = 0;
  std::string credit_code;
};

inline constexpr size_t kMaxCustomFields = 20;

// Mobile numbers whose subscriber part (the 8 digits after the network
// prefix) ends in 7 or more copies of one digit ("13911111111",
// "13688888888") or repeats one pair four times ("13812121212"): what
// people type into a landing-page form to get past a required field. The
// shared NormalizePhone already rejects all-zero subscribers, runs and
// 13800138000; this is the leads-only addition (vanity numbers exist, but
// on web forms these are overwhelmingly fake; a rep can still add such a
// number to an account). INVALID_ARGUMENT "<field>: ..." or OK.
absl::Status CheckNotPlaceholderMobile(std::string_view e164,
                                       std::string_view field);

// Normalizes and validates a draft in place; the first problem comes back
// as INVALID_ARGUMENT "<field>: <rule>" with `prefix` before the field
// ("lead." for CreateLead, "" for import rows). Rules:
//   kind        COMPANY needs company_name; PERSON needs contact_name;
//   names       trimmed, spaces collapsed, full-width folded, no control or
//               bidi characters, company <= 200, contact <= 100 characters;
//   phone       NormalizePhone (E.164) + CheckNotPlaceholderMobile;
//   email       NormalizeEmail;
//               at least one of phone and email is required;
//   region_code required, a-z 0-9 '_' '-', <= 32; city <= 50 characters;
//   notes       <= 2000 characters; custom <= 20 keys of <= 50 / values of
//               <= 500 characters; industry <= 100;
//   company_size 0..10,000,000; credit_code (optional) a valid unified
//               social credit code.
// A campaign's public code: 3..64 of [a-z0-9_-] (it travels in landing-page
// forms and URLs). INVALID_ARGUMENT "<field>: <rule>" otherwise.
absl::Status CheckCampaignCode(std::string_view code, std::string_view field);
// A region code: 1..32 of [a-z0-9_-].
absl::Status CheckRegionCode(std::string_view code, std::string_view field);

absl::Status CleanseDraft(LeadDraft* d, std::string_view prefix = "");

// The keys under which an open lead is unique: "phone:<e164>" and, for a
// company, "company:<normalized name>". Two captures sharing any key are
// the same prospect.
std::vector<std::string> DedupKeys(const LeadDraft& d);

}  // namespace crm::leads
