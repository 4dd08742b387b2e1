// Channels, campaigns and the capture statistics behind GetChannelStats.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/leads/store/records.h"

namespace crm::leads {

class ChannelStore {
 public:
  ChannelStore(std::shared_ptr<db::ConnectionPool> pool,
               std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // ALREADY_EXISTS for a taken name; a repeated request_id returns the
  // first channel.
  absl::StatusOr<ChannelRecord> CreateChannel(const ChannelRecord& ch,
                                              const std::string& request_id);
  absl::StatusOr<ChannelRecord> GetChannel(int64_t id);
  absl::StatusOr<std::vector<ChannelRecord>> ListChannels();
  absl::StatusOr<ChannelRecord> UpdateChannel(const ChannelRecord& ch);

  absl::StatusOr<CampaignRecord> CreateCampaign(const CampaignRecord& c,
                                                const std::string& request_id);
  absl::StatusOr<CampaignRecord> GetCampaign(int64_t id);
  // NOT_FOUND for an unknown public code.
  absl::StatusOr<CampaignRecord> GetCampaignByCode(const std::string& code);
  absl::StatusOr<std::vector<CampaignRecord>> ListCampaigns(int64_t channel_id);
  absl::StatusOr<CampaignRecord> UpdateCampaign(const CampaignRecord& c);

  struct Counts {
    int64_t leads = 0;      // captures
    int64_t valid = 0;      // captures of leads that are not INVALID
    int64_t converted = 0;  // distinct converted leads
  };
  // Captures in [from, to), keyed by channel id / campaign id.
  absl::StatusOr<std::map<int64_t, Counts>> CountByChannel(absl::Time from,
                                                           absl::Time to);
  absl::StatusOr<std::map<int64_t, Counts>> CountByCampaign(absl::Time from,
                                                            absl::Time to);

 private:
  absl::StatusOr<std::map<int64_t, Counts>> Count(const char* column,
                                                  absl::Time from,
                                                  absl::Time to);
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::leads
