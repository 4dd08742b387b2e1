#include "services/leads/domain/scoring.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::leads {
namespace {

Factor Make(const char* name, double share, int weight, std::string detail) {
  share = std::clamp(share, 0.0, 1.0);
  return Factor{name, static_cast<int>(std::lround(share * weight)), weight,
                std::move(detail)};
}

}  // namespace

absl::Status ValidateWeights(const ScoreWeights& w) {
  int sum = 0;
  for (int v : {w.completeness, w.channel, w.region, w.company, w.engagement}) {
    if (v < 0 || v > 100)
      return InvalidField("score_weights", "each weight must be 0..100");
    sum += v;
  }
  if (sum < 1 || sum > 100)
    return InvalidField("score_weights", "weights must add up to 1..100");
  return absl::OkStatus();
}

Score ScoreLead(const ScoreInputs& in, const ScoreWeights& w) {
  const LeadDraft& l = *in.lead;
  Score s;
  int filled = 0;
  for (bool f : {!l.contact_name.empty(), !l.phone.empty(), !l.email.empty(),
                 !l.company_name.empty(), !l.city.empty(), !l.industry.empty(),
                 l.company_size > 0}) {
    filled += f ? 1 : 0;
  }
  s.factors.push_back(Make("completeness", filled / 7.0, w.completeness,
                           absl::StrCat(filled, " of 7 profile fields")));

  const int quality = in.channel_quality < 0 ? 50 : in.channel_quality;
  s.factors.push_back(Make("channel", quality / 100.0, w.channel,
                           in.channel_quality < 0
                               ? "no channel (counted as quality 50)"
                               : absl::StrCat("channel quality ", quality)));

  const bool priority_region = w.priority_regions.contains(l.region_code);
  s.factors.push_back(
      Make("region", priority_region ? 1.0 : 0.5, w.region,
           priority_region ? "priority region" : "other region"));

  double size = 0;
  std::string size_text = "size unknown";
  if (l.company_size >= 1000) {
    size = 1.0;
  } else if (l.company_size >= 100) {
    size = 0.7;
  } else if (l.company_size >= 10) {
    size = 0.4;
  } else if (l.company_size > 0) {
    size = 0.2;
  }
  if (l.company_size > 0)
    size_text = absl::StrCat(l.company_size, " employees");
  double industry = 0;
  std::string industry_text = "industry unknown";
  if (!l.industry.empty()) {
    industry = w.priority_industries.contains(l.industry) ? 1.0 : 0.4;
    industry_text = absl::StrCat(
        industry == 1.0 ? "priority industry " : "industry ", l.industry);
  }
  s.factors.push_back(Make("company", 0.7 * size + 0.3 * industry, w.company,
                           absl::StrCat(size_text, ", ", industry_text)));

  s.factors.push_back(Make(
      "engagement", 0.15 * in.follow_ups + 0.25 * in.replies, w.engagement,
      absl::StrCat(in.follow_ups, " follow-ups, ", in.replies, " replies")));
  for (const Factor& f : s.factors) s.total += f.points;
  s.total = std::clamp(s.total, 0, 100);
  return s;
}

}  // namespace crm::leads
