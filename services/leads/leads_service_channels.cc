// Channels and campaigns (seed 002: 渠道/活动 with their cost) and the ROI
// statistics. Managers and admins change them; everyone may read them.
#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "common/validate/text.h"
#include "services/leads/domain/channel_stats.h"
#include "services/leads/leads_service.h"
#include "services/leads/proto_convert.h"

namespace crm::leads {
namespace {

absl::Status CheckMoney(const std::string& field,
                        const crm::common::v1::Money& m) {
  if (m.amount_minor() < 0)
    return InvalidField(field, "amount must not be negative");
  if (!m.currency_code().empty() && m.currency_code().size() != 3)
    return InvalidField(field, "currency_code must be an ISO 4217 code");
  for (char c : m.currency_code())
    if (c < 'A' || c > 'Z')
      return InvalidField(field, "currency_code must be an ISO 4217 code");
  return absl::OkStatus();
}

std::string Currency(const crm::common::v1::Money& m) {
  return m.currency_code().empty() ? "CNY" : m.currency_code();
}

absl::Status CheckName(std::string* name, const std::string& field) {
  *name = validate::CollapseSpaces(*name);
  return validate::ValidateName(name, field, 100);
}

absl::Status CheckChannel(ChannelRecord* ch) {
  RETURN_IF_ERROR(CheckName(&ch->name, "channel.name"));
  if (ch->quality < 0 || ch->quality > 100)
    return InvalidField("channel.quality", "must be 0..100");
  return absl::OkStatus();
}

void FillStats(int64_t channel_id, int64_t campaign_id, const std::string& name,
               const ChannelStore::Counts& n, const std::string& currency,
               int64_t cost, pb::ChannelStats* out) {
  out->set_channel_id(channel_id);
  out->set_campaign_id(campaign_id);
  out->set_name(name);
  out->set_leads(n.leads);
  out->set_valid_leads(n.valid);
  out->set_converted(n.converted);
  out->set_conversion_rate(ConversionRate(n.converted, n.valid));
  out->mutable_cost()->set_currency_code(currency);
  out->mutable_cost()->set_amount_minor(cost);
  out->mutable_cost_per_converted()->set_currency_code(currency);
  out->mutable_cost_per_converted()->set_amount_minor(
      CostPerConverted(cost, n.converted));
}

}  // namespace

grpc::Status LeadsServiceImpl::CreateChannel(
    grpc::ServerContext* ctx, const pb::CreateChannelRequest* req,
    pb::Channel* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage channels"));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    ChannelRecord ch;
    ch.name = req->channel().name();
    ch.quality = req->channel().quality();
    RETURN_IF_ERROR(CheckChannel(&ch));
    RETURN_IF_ERROR(CheckMoney("channel.cost", req->channel().cost()));
    ch.currency = Currency(req->channel().cost());
    ch.cost_minor = req->channel().cost().amount_minor();
    ch.active = true;
    ASSIGN_OR_RETURN(ChannelRecord created,
                     channels_.CreateChannel(ch, req->request_id()));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::ListChannels(grpc::ServerContext* ctx,
                                            const pb::ListChannelsRequest*,
                                            pb::ListChannelsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    ASSIGN_OR_RETURN(std::vector<ChannelRecord> all, channels_.ListChannels());
    for (const ChannelRecord& ch : all) ToProto(ch, resp->add_channels());
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::UpdateChannel(
    grpc::ServerContext* ctx, const pb::UpdateChannelRequest* req,
    pb::Channel* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage channels"));
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    ASSIGN_OR_RETURN(ChannelRecord ch,
                     channels_.GetChannel(req->channel().id()));
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        ch.name = req->channel().name();
      } else if (path == "quality") {
        ch.quality = req->channel().quality();
      } else if (path == "cost") {
        RETURN_IF_ERROR(CheckMoney("channel.cost", req->channel().cost()));
        ch.currency = Currency(req->channel().cost());
        ch.cost_minor = req->channel().cost().amount_minor();
      } else if (path == "active") {
        ch.active = req->channel().active();
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    RETURN_IF_ERROR(CheckChannel(&ch));
    ASSIGN_OR_RETURN(ChannelRecord updated, channels_.UpdateChannel(ch));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

absl::Status LeadsServiceImpl::SetCampaignCode(const pb::Campaign& in,
                                               int64_t self_id,
                                               CampaignRecord* cp) {
  if (!in.region_code().empty())
    RETURN_IF_ERROR(CheckRegionCode(in.region_code(), "campaign.region_code"));
  cp->region_code = in.region_code();
  cp->code = in.code();
  if (cp->code.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(CheckCampaignCode(cp->code, "campaign.code"));
  absl::StatusOr<CampaignRecord> holder = channels_.GetCampaignByCode(cp->code);
  if (holder.ok() && holder->id != self_id) {
    return absl::AlreadyExistsError(absl::StrCat(
        "campaign.code: \"", cp->code, "\" is used by campaign ", holder->id));
  }
  if (!holder.ok() && !absl::IsNotFound(holder.status()))
    return holder.status();
  return absl::OkStatus();
}

grpc::Status LeadsServiceImpl::CreateCampaign(
    grpc::ServerContext* ctx, const pb::CreateCampaignRequest* req,
    pb::Campaign* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage campaigns"));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    const pb::Campaign& in = req->campaign();
    CampaignRecord cp;
    cp.name = in.name();
    RETURN_IF_ERROR(CheckName(&cp.name, "campaign.name"));
    absl::StatusOr<ChannelRecord> ch = channels_.GetChannel(in.channel_id());
    if (absl::IsNotFound(ch.status()))
      return InvalidField("campaign.channel_id", "no such channel");
    RETURN_IF_ERROR(ch.status());
    cp.channel_id = ch->id;
    RETURN_IF_ERROR(CheckMoney("campaign.cost", in.cost()));
    cp.currency = Currency(in.cost());
    if (cp.currency != ch->currency) {
      return InvalidField(
          "campaign.cost",
          absl::StrCat("currency must be the channel's (", ch->currency, ")"));
    }
    cp.cost_minor = in.cost().amount_minor();
    if (in.has_start_time()) {
      ASSIGN_OR_RETURN(cp.start_at,
                       ValidTime("campaign.start_time", in.start_time()));
    }
    if (in.has_end_time()) {
      ASSIGN_OR_RETURN(cp.end_at,
                       ValidTime("campaign.end_time", in.end_time()));
    }
    if (cp.start_at && cp.end_at && *cp.end_at <= *cp.start_at)
      return InvalidField("campaign.end_time", "must be after start_time");
    RETURN_IF_ERROR(SetCampaignCode(in, 0, &cp));
    ASSIGN_OR_RETURN(CampaignRecord created,
                     channels_.CreateCampaign(cp, req->request_id()));
    ToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::ListCampaigns(
    grpc::ServerContext* ctx, const pb::ListCampaignsRequest* req,
    pb::ListCampaignsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    RETURN_IF_ERROR(auth::CallerOf(ctx).status());
    ASSIGN_OR_RETURN(std::vector<CampaignRecord> all,
                     channels_.ListCampaigns(req->channel_id()));
    for (const CampaignRecord& c : all) ToProto(c, resp->add_campaigns());
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::UpdateCampaign(
    grpc::ServerContext* ctx, const pb::UpdateCampaignRequest* req,
    pb::Campaign* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "manage campaigns"));
    if (req->update_mask().paths_size() == 0)
      return InvalidField("update_mask", "required");
    const pb::Campaign& in = req->campaign();
    ASSIGN_OR_RETURN(CampaignRecord cp, channels_.GetCampaign(in.id()));
    for (const std::string& path : req->update_mask().paths()) {
      if (path == "name") {
        cp.name = in.name();
        RETURN_IF_ERROR(CheckName(&cp.name, "campaign.name"));
      } else if (path == "cost") {
        RETURN_IF_ERROR(CheckMoney("campaign.cost", in.cost()));
        if (Currency(in.cost()) != cp.currency)
          return InvalidField("campaign.cost", "currency cannot change");
        cp.cost_minor = in.cost().amount_minor();
      } else if (path == "start_time") {
        cp.start_at.reset();
        if (in.has_start_time()) {
          ASSIGN_OR_RETURN(cp.start_at,
                           ValidTime("campaign.start_time", in.start_time()));
        }
      } else if (path == "code" || path == "region_code") {
        pb::Campaign only;
        if (path == "code") {
          only.set_code(in.code());
          only.set_region_code(cp.region_code);
        } else {
          only.set_code(cp.code);
          only.set_region_code(in.region_code());
        }
        RETURN_IF_ERROR(SetCampaignCode(only, cp.id, &cp));
      } else if (path == "end_time") {
        cp.end_at.reset();
        if (in.has_end_time()) {
          ASSIGN_OR_RETURN(cp.end_at,
                           ValidTime("campaign.end_time", in.end_time()));
        }
      } else {
        return InvalidField("update_mask",
                            absl::StrCat("\"", path, "\" cannot be updated"));
      }
    }
    if (cp.start_at && cp.end_at && *cp.end_at <= *cp.start_at)
      return InvalidField("campaign.end_time", "must be after start_time");
    ASSIGN_OR_RETURN(CampaignRecord updated, channels_.UpdateCampaign(cp));
    ToProto(updated, resp);
    return absl::OkStatus();
  });
}

grpc::Status LeadsServiceImpl::GetChannelStats(
    grpc::ServerContext* ctx, const pb::GetChannelStatsRequest* req,
    pb::GetChannelStatsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "see channel statistics"));
    ASSIGN_OR_RETURN(absl::Time from, ValidTime("from", req->from()));
    ASSIGN_OR_RETURN(absl::Time to, ValidTime("to", req->to()));
    if (to <= from) return InvalidField("to", "must be after from");
    ASSIGN_OR_RETURN(auto by_channel, channels_.CountByChannel(from, to));
    ASSIGN_OR_RETURN(auto by_campaign, channels_.CountByCampaign(from, to));
    ASSIGN_OR_RETURN(std::vector<ChannelRecord> channels,
                     channels_.ListChannels());
    ASSIGN_OR_RETURN(std::vector<CampaignRecord> campaigns,
                     channels_.ListCampaigns(0));
    // A campaign's cost counts when it overlaps the period (undated
    // campaigns always do); a channel's cost is its own plus those.
    std::map<int64_t, int64_t> channel_cost;
    for (const ChannelRecord& ch : channels)
      channel_cost[ch.id] = ch.cost_minor;
    std::map<int64_t, std::string> currency;
    for (const ChannelRecord& ch : channels) currency[ch.id] = ch.currency;
    for (const CampaignRecord& cp : campaigns) {
      const bool overlaps = (!cp.start_at || *cp.start_at < to) &&
                            (!cp.end_at || *cp.end_at > from);
      const int64_t cost = overlaps ? cp.cost_minor : 0;
      channel_cost[cp.channel_id] += cost;
      FillStats(cp.channel_id, cp.id, cp.name, by_campaign[cp.id], cp.currency,
                cost, resp->add_campaigns());
    }
    for (const ChannelRecord& ch : channels) {
      FillStats(ch.id, 0, ch.name, by_channel[ch.id], ch.currency,
                channel_cost[ch.id], resp->add_channels());
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::leads
