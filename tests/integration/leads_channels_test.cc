// Channels, campaigns and GetChannelStats (leads, valid, converted, rate,
// cost per converted lead) over a period.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "google/protobuf/util/time_util.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
using google::protobuf::util::TimeUtil;
using testing::CompanyLead;
using ::testing::HasSubstr;
using testing::LeadsHarness;

class LeadsChannelsTest : public ::testing::Test {
 protected:
  LeadsHarness h;
  std::string mgr = h.User("mgr_east", "east", "sales_manager").token;
  testing::AccountsHarness::Login rep = h.User("rep_e1", "e1", "sales_rep");

  grpc::Status CreateChannel(const std::string& token, const std::string& name,
                             int quality, int64_t cost, pb::Channel* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateChannelRequest req;
    req.mutable_channel()->set_name(name);
    req.mutable_channel()->set_quality(quality);
    req.mutable_channel()->mutable_cost()->set_currency_code("CNY");
    req.mutable_channel()->mutable_cost()->set_amount_minor(cost);
    return h.stub().CreateChannel(&ctx, req, out);
  }
  grpc::Status CreateCampaign(int64_t channel, const std::string& name,
                              int64_t cost, pb::Campaign* out,
                              const std::string& currency = "CNY") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::CreateCampaignRequest req;
    req.mutable_campaign()->set_channel_id(channel);
    req.mutable_campaign()->set_name(name);
    req.mutable_campaign()->mutable_cost()->set_currency_code(currency);
    req.mutable_campaign()->mutable_cost()->set_amount_minor(cost);
    return h.stub().CreateCampaign(&ctx, req, out);
  }
};

TEST_F(LeadsChannelsTest, ChannelAndCampaignValidation) {
  pb::Channel ch;
  EXPECT_EQ(CreateChannel(rep.token, "百度", 60, 0, &ch).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateChannel(mgr, "百度", 101, 0, &ch).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateChannel(mgr, "百度", 60, -1, &ch).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateChannel(mgr, " ", 60, 0, &ch).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(CreateChannel(mgr, "百度", 60, 100, &ch).ok());
  pb::Channel dup;
  grpc::Status s = CreateChannel(mgr, "百度", 60, 0, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("channel ", ch.id())));
  pb::Campaign cp;
  EXPECT_EQ(CreateCampaign(ch.id(), "春季", 100, &cp, "USD").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateCampaign(999, "春季", 100, &cp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(CreateCampaign(ch.id(), "春季", 100, &cp).ok());
  // A lead naming a campaign of another channel is refused.
  pb::Channel other;
  ASSERT_TRUE(CreateChannel(mgr, "抖音", 40, 0, &other).ok());
  pb::Lead l = CompanyLead("渠道错配", "13312340001");
  l.set_channel_id(other.id());
  l.set_campaign_id(cp.id());
  pb::CreateLeadResponse out;
  s = h.Create(mgr, l, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("lead.campaign_id"));
  // The campaign alone names its channel; the channel's quality scores.
  l.clear_channel_id();
  pb::Lead got = h.CreateOk(mgr, l);
  EXPECT_EQ(got.channel_id(), ch.id());
  for (const auto& f : got.score_factors())
    if (f.name() == "channel") {
      EXPECT_EQ(f.detail(), "channel quality 60");
    }
}

TEST_F(LeadsChannelsTest, StatsCountCapturesValidConvertedAndCost) {
  pb::Channel ch;
  ASSERT_TRUE(CreateChannel(mgr, "官网", 80, 100000, &ch).ok());
  pb::Campaign cp;
  ASSERT_TRUE(CreateCampaign(ch.id(), "展会", 50000, &cp).ok());
  const absl::Time from = h.clock().Now() - absl::Hours(1);
  auto lead = [&](const std::string& name, const std::string& phone) {
    pb::Lead l = CompanyLead(name, phone);
    l.set_campaign_id(cp.id());
    return l;
  };
  // Four captures: one merged duplicate, one invalid lead, one converted.
  pb::Lead kept = lead("统计一号", "13312340011");
  kept.set_credit_code(testing::CreditCode(901));
  const pb::Lead a = h.CreateOk(rep.token, kept, true);
  h.CreateOk(mgr, lead("统计一号", "13312340012"));  // merged into a
  const pb::Lead b = h.CreateOk(mgr, lead("统计二号", "13312340013"));
  h.CreateOk(mgr, lead("统计三号", "13312340014"));
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::ChangeLeadStatusRequest req;
    req.set_lead_id(b.id());
    req.set_status(pb::LEAD_STATUS_INVALID);
    req.set_reason("空号");
    pb::Lead ignored;
    ASSERT_TRUE(h.stub().ChangeLeadStatus(&ctx, req, &ignored).ok());
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::ConvertLeadRequest req;
    req.set_lead_id(a.id());
    pb::ConvertLeadResponse out;
    grpc::Status s = h.stub().ConvertLead(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr);
  pb::GetChannelStatsRequest req;
  *req.mutable_from() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(from));
  *req.mutable_to() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(h.clock().Now() + absl::Hours(1)));
  pb::GetChannelStatsResponse stats;
  ASSERT_TRUE(h.stub().GetChannelStats(&ctx, req, &stats).ok());
  ASSERT_EQ(stats.channels_size(), 1);
  const pb::ChannelStats& c = stats.channels(0);
  EXPECT_EQ(c.leads(), 4);
  EXPECT_EQ(c.valid_leads(), 3);
  EXPECT_EQ(c.converted(), 1);
  EXPECT_DOUBLE_EQ(c.conversion_rate(), 1.0 / 3);
  EXPECT_EQ(c.cost().amount_minor(), 150000);
  EXPECT_EQ(c.cost_per_converted().amount_minor(), 150000);
  ASSERT_EQ(stats.campaigns_size(), 1);
  EXPECT_EQ(stats.campaigns(0).leads(), 4);
  EXPECT_EQ(stats.campaigns(0).cost_per_converted().amount_minor(), 50000);

  // An empty period counts nothing; a reversed one is refused.
  grpc::ClientContext later;
  client::Prepare(&later, mgr);
  *req.mutable_from() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(h.clock().Now() + absl::Hours(2)));
  *req.mutable_to() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(h.clock().Now() + absl::Hours(3)));
  ASSERT_TRUE(h.stub().GetChannelStats(&later, req, &stats).ok());
  EXPECT_EQ(stats.channels(0).leads(), 0);
  EXPECT_EQ(stats.channels(0).cost_per_converted().amount_minor(), 0);
  grpc::ClientContext bad;
  client::Prepare(&bad, mgr);
  std::swap(*req.mutable_from(), *req.mutable_to());
  EXPECT_EQ(h.stub().GetChannelStats(&bad, req, &stats).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext repctx;
  client::Prepare(&repctx, rep.token);
  EXPECT_EQ(h.stub().GetChannelStats(&repctx, req, &stats).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace crm

namespace crm {
namespace {

TEST_F(LeadsChannelsTest, LandingPageFormsNameTheirCampaignByCode) {
  pb::Channel ch;
  ASSERT_TRUE(CreateChannel(mgr, "展会", 70, 0, &ch).ok());
  auto create = [&](const std::string& code, const std::string& region,
                    pb::Campaign* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::CreateCampaignRequest req;
    req.mutable_campaign()->set_channel_id(ch.id());
    req.mutable_campaign()->set_name(absl::StrCat("展会-", code));
    req.mutable_campaign()->mutable_cost()->set_currency_code("CNY");
    req.mutable_campaign()->set_code(code);
    req.mutable_campaign()->set_region_code(region);
    return h.stub().CreateCampaign(&ctx, req, out);
  };
  pb::Campaign expo;
  EXPECT_EQ(create("x", "north", &expo).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create("Spring Expo", "north", &expo).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create("spring-expo", "North!", &expo).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(create("spring-expo", "north", &expo).ok());
  EXPECT_EQ(expo.code(), "spring-expo");
  EXPECT_EQ(expo.region_code(), "north");
  pb::Campaign dup;
  grpc::Status s = create("spring-expo", "east", &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("campaign ", expo.id())));

  // A capture with only the code: campaign, channel and region follow it.
  pb::Lead l = CompanyLead("表单客户", "13312340077");
  l.clear_region_code();
  l.set_campaign_code("spring-expo");
  pb::CreateLeadResponse out;
  ASSERT_TRUE(h.Create(mgr, l, &out).ok());
  EXPECT_EQ(out.lead().campaign_id(), expo.id());
  EXPECT_EQ(out.lead().channel_id(), ch.id());
  EXPECT_EQ(out.lead().region_code(), "north");

  l.set_campaign_code("no-such-expo");
  s = h.Create(mgr, l, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("lead.campaign_code"));
}

}  // namespace
}  // namespace crm
