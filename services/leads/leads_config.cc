#include "services/leads/leads_config.h"

#include "absl/strings/str_split.h"

namespace crm::leads {
namespace {

std::set<std::string> CommaSet(const std::string& text) {
  std::set<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty()))
    out.insert(std::string(part));
  return out;
}

}  // namespace

LeadsSettings LeadsSettings::Read(ConfigReader& config) {
  LeadsSettings s;
  LeadsConfig& c = s.service;
  s.identity_addr = config.String("identity_addr", s.identity_addr);
  s.accounts_addr = config.String("accounts_addr", s.accounts_addr);
  s.opportunities_addr =
      config.String("opportunities_addr", s.opportunities_addr);
  s.recycle_interval = config.Duration("recycle_interval", s.recycle_interval);
  c.recycle_after = config.Duration("recycle_after", c.recycle_after);
  c.claim_lock_ttl = config.Duration("claim_lock_ttl", c.claim_lock_ttl);
  c.account_check_concurrency = static_cast<int>(config.Int(
      "account_check_concurrency", c.account_check_concurrency, 1, 64));
  ScoreWeights& w = c.weights;
  w.completeness = static_cast<int>(
      config.Int("score_weight_completeness", w.completeness, 0, 100));
  w.channel =
      static_cast<int>(config.Int("score_weight_channel", w.channel, 0, 100));
  w.region =
      static_cast<int>(config.Int("score_weight_region", w.region, 0, 100));
  w.company =
      static_cast<int>(config.Int("score_weight_company", w.company, 0, 100));
  w.engagement = static_cast<int>(
      config.Int("score_weight_engagement", w.engagement, 0, 100));
  w.priority_regions = CommaSet(config.String("score_priority_regions", ""));
  w.priority_industries =
      CommaSet(config.String("score_priority_industries", ""));
  return s;
}

}  // namespace crm::leads
