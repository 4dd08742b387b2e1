// Rule-based lead scoring (seed 004: 线索评分), pure and explainable: the
// score is the sum of five factors, each worth up to its configured weight,
// and comes back with every factor's points and the reason.
//
//   completeness  share of the profile filled in: contact name, phone,
//                 email, company name, city, industry, company size
//   channel       the source channel's quality (0..100); unknown = 50
//   region        full points in a priority region, half elsewhere
//   company       size band (>= 1000 employees: 1.0, >= 100: 0.7, >= 10:
//                 0.4, known below: 0.2, unknown: 0) blended 70/30 with
//                 industry (priority industry 1.0, other known 0.4)
//   engagement    follow-ups (0.15 each) + replies (0.25 each), capped at 1
//
// Points are rounded per factor; the total is clamped to 0..100.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/leads/domain/lead_rules.h"

namespace crm::leads {

struct ScoreWeights {
  int completeness = 25;
  int channel = 20;
  int region = 10;
  int company = 25;
  int engagement = 20;
  std::set<std::string> priority_regions;
  std::set<std::string> priority_industries;
};

// Each weight 0..100 and their sum 1..100, else INVALID_ARGUMENT.
absl::Status ValidateWeights(const ScoreWeights& w);

struct ScoreInputs {
  const LeadDraft* lead = nullptr;
  int channel_quality = -1;  // -1 = no channel
  int follow_ups = 0;
  int replies = 0;
};

struct Factor {
  std::string name;
  int points = 0;
  int weight = 0;
  std::string detail;
};

struct Score {
  int total = 0;
  std::vector<Factor> factors;
};

Score ScoreLead(const ScoreInputs& in, const ScoreWeights& w);

}  // namespace crm::leads
