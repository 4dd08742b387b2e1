// The lead state machine (domain/status_rules).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/leads/domain/status_rules.h"

namespace crm::leads {
namespace {

using S = LeadStatus;

TEST(LeadStatusTest, AllowedTransitions) {
  EXPECT_TRUE(CheckStatusChange(S::kNew, S::kInvalid, "spam").ok());
  EXPECT_TRUE(CheckStatusChange(S::kAssigned, S::kContacting, "").ok());
  EXPECT_TRUE(CheckStatusChange(S::kAssigned, S::kQualified, "").ok());
  EXPECT_TRUE(CheckStatusChange(S::kAssigned, S::kInvalid, "wrong no").ok());
  EXPECT_TRUE(CheckStatusChange(S::kContacting, S::kQualified, "").ok());
  EXPECT_TRUE(CheckStatusChange(S::kContacting, S::kInvalid, "x").ok());
  EXPECT_TRUE(CheckStatusChange(S::kQualified, S::kInvalid, "x").ok());
}

TEST(LeadStatusTest, ForbiddenTransitionsAreFailedPrecondition) {
  for (auto [from, to] :
       std::vector<std::pair<S, S>>{{S::kNew, S::kContacting},
                                    {S::kNew, S::kQualified},
                                    {S::kContacting, S::kContacting},
                                    {S::kQualified, S::kContacting},
                                    {S::kQualified, S::kQualified},
                                    {S::kConverted, S::kInvalid},
                                    {S::kInvalid, S::kContacting},
                                    {S::kInvalid, S::kInvalid}}) {
    absl::Status s = CheckStatusChange(from, to, "reason");
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition)
        << StatusName(from) << "->" << StatusName(to) << ": " << s;
  }
}

TEST(LeadStatusTest, TargetsSetElsewhereAreInvalidArgument) {
  for (S to : {S::kNew, S::kAssigned, S::kConverted}) {
    EXPECT_EQ(CheckStatusChange(S::kAssigned, to, "").code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(CheckStatusChange(S::kAssigned, static_cast<S>(42), "").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LeadStatusTest, InvalidNeedsAReason) {
  absl::Status s = CheckStatusChange(S::kAssigned, S::kInvalid, "");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("reason: "));
  EXPECT_EQ(CheckStatusChange(S::kAssigned, S::kInvalid, std::string(501, 'x'))
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LeadStatusTest, OpenAndConvertible) {
  EXPECT_TRUE(IsOpen(S::kNew));
  EXPECT_TRUE(IsOpen(S::kQualified));
  EXPECT_FALSE(IsOpen(S::kConverted));
  EXPECT_FALSE(IsOpen(S::kInvalid));
  EXPECT_TRUE(CheckConvertible(S::kAssigned).ok());
  EXPECT_TRUE(CheckConvertible(S::kContacting).ok());
  EXPECT_TRUE(CheckConvertible(S::kQualified).ok());
  for (S s : {S::kNew, S::kConverted, S::kInvalid})
    EXPECT_EQ(CheckConvertible(s).code(),
              absl::StatusCode::kFailedPrecondition);
}

TEST(LeadStatusTest, RecycleDue) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  const absl::Duration w = absl::Hours(48);
  const absl::Time never = absl::InfinitePast();
  EXPECT_FALSE(RecycleDue(S::kAssigned, t0, never, t0 + absl::Hours(47), w));
  EXPECT_TRUE(RecycleDue(S::kAssigned, t0, never, t0 + absl::Hours(48), w));
  // A follow-up restarts the clock.
  EXPECT_FALSE(RecycleDue(S::kContacting, t0, t0 + absl::Hours(30),
                          t0 + absl::Hours(50), w));
  EXPECT_TRUE(RecycleDue(S::kContacting, t0, t0 + absl::Hours(30),
                         t0 + absl::Hours(78), w));
  // Qualified, pooled and closed leads stay.
  for (S s : {S::kNew, S::kQualified, S::kConverted, S::kInvalid})
    EXPECT_FALSE(RecycleDue(s, t0, never, t0 + absl::Hours(1000), w));
}

}  // namespace
}  // namespace crm::leads
