// Account field rules and duplicate ranking (seed 004: unique customer
// identification). Pure: the store finds candidates, these functions judge.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

// Normalizes and checks a draft in place: name (1..200 chars), a company's
// credit code (GB 32100 check digit) or a person's phone (E.164), optional
// ID number, industry/address lengths, lat/lng together and in range,
// region code. INVALID_ARGUMENT "<field>: <rule>" on the first problem.
// Fills name_norm. `credit_code_optional` (duplicate checks only): a company
// without a credit code passes, to be checked by name and address.
absl::Status NormalizeDraft(AccountRecord* a,
                            bool credit_code_optional = false);

// Character bigrams of a normalized name (a single character yields
// itself): the keys of the similarity index.
std::vector<std::string> NameGrams(const std::string& name_norm);

struct Candidate {
  int64_t account_id = 0;
  std::string name;
  std::string match;  // "credit_code", "phone", "name", "address"
  double score = 0;
  bool exact = false;
  std::optional<int64_t> owner_id;
  std::string owner_org_path;
};

// Minimum similarity for a fuzzy match to be reported (and to block a
// create unless the caller overrides it).
inline constexpr double kSimilarThreshold = 0.75;

// Exact key matches first (score 1), then fuzzy name/address matches at or
// above the threshold, best first; one entry per account.
std::vector<Candidate> RankDuplicates(
    const AccountRecord& draft, const std::vector<AccountRecord>& exact,
    const std::vector<AccountRecord>& similar);

}  // namespace crm::accounts
