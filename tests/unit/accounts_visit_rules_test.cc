// The pure visit check-in rules: radius with accuracy leniency, work hours
// in China time, and the suspicious-check-in heuristics (time injected).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "absl/time/civil_time.h"
#include "common/validate/geo.h"
#include "services/accounts/domain/visit_rules.h"

namespace crm::accounts {
namespace {

using ::testing::HasSubstr;

// A moment given as China local time (UTC+8).
absl::Time Beijing(int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::FixedTimeZone(8 * 3600));
}

TEST(VisitRadius, AcceptsWithinRadiusPlusCappedAccuracy) {
  const VisitPolicy policy;
  EXPECT_TRUE(CheckVisitDistance(0, 0, policy).ok());
  EXPECT_TRUE(CheckVisitDistance(500, 0, policy).ok());
  EXPECT_EQ(CheckVisitDistance(500.5, 0, policy).code(),
            absl::StatusCode::kFailedPrecondition);
  // Accuracy adds leniency...
  EXPECT_TRUE(CheckVisitDistance(540, 50, policy).ok());
  EXPECT_FALSE(CheckVisitDistance(560, 50, policy).ok());
  // ... but at most 100 m, whatever the phone claims.
  EXPECT_DOUBLE_EQ(EffectiveRadiusM(5000, policy), 600);
  EXPECT_TRUE(CheckVisitDistance(600, 5000, policy).ok());
  EXPECT_FALSE(CheckVisitDistance(601, 5000, policy).ok());
  // Nonsense accuracy adds nothing.
  EXPECT_DOUBLE_EQ(EffectiveRadiusM(-10, policy), 500);
  EXPECT_DOUBLE_EQ(
      EffectiveRadiusM(std::numeric_limits<double>::quiet_NaN(), policy), 500);
}

TEST(VisitRadius, RefusalStatesDistanceAndAllowance) {
  absl::Status s = CheckVisitDistance(1234.4, 20, VisitPolicy{});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("1234 m"));
  EXPECT_THAT(s.message(), HasSubstr("520 m"));
}

TEST(VisitRadius, ConfigurableRadius) {
  VisitPolicy policy;
  policy.radius_m = 200;
  policy.max_accuracy_leniency_m = 0;
  EXPECT_TRUE(CheckVisitDistance(200, 80, policy).ok());
  EXPECT_FALSE(CheckVisitDistance(201, 80, policy).ok());
}

TEST(WorkHours, WeekdaysEightToEightChinaTime) {
  const VisitPolicy policy;
  // 2024-03-04 is a Monday.
  EXPECT_TRUE(CheckWorkHours(Beijing(2024, 3, 4, 8, 0), policy).ok());
  EXPECT_TRUE(CheckWorkHours(Beijing(2024, 3, 4, 19, 59, 59), policy).ok());
  EXPECT_FALSE(CheckWorkHours(Beijing(2024, 3, 4, 7, 59, 59), policy).ok());
  EXPECT_FALSE(CheckWorkHours(Beijing(2024, 3, 4, 20, 0), policy).ok());
  // Saturday works, Sunday does not.
  EXPECT_TRUE(CheckWorkHours(Beijing(2024, 3, 9, 10, 0), policy).ok());
  absl::Status sunday = CheckWorkHours(Beijing(2024, 3, 10, 10, 0), policy);
  EXPECT_EQ(sunday.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(sunday.message(), HasSubstr("not a work day"));
}

TEST(WorkHours, UsesChinaTimeNotUtc) {
  const VisitPolicy policy;
  // 01:00 UTC on a Monday is 09:00 in Beijing: open.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2024, 3, 4, 1, 0, 0),
                                       absl::UTCTimeZone());
  EXPECT_TRUE(CheckWorkHours(t, policy).ok());
  // 13:00 UTC is 21:00 in Beijing: closed, and the message says so.
  absl::Status s = CheckWorkHours(t + absl::Hours(12), policy);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("21:00"));
  EXPECT_THAT(s.message(), HasSubstr("08:00-20:00"));
  // Sunday 23:30 UTC is Monday 07:30 in Beijing: closed (too early), and
  // Monday 00:30 UTC is Monday 08:30: open.
  const absl::Time sun = absl::FromCivil(
      absl::CivilSecond(2024, 3, 10, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_FALSE(CheckWorkHours(sun, policy).ok());
  EXPECT_TRUE(CheckWorkHours(sun + absl::Hours(1), policy).ok());
}

TEST(ImpliedSpeed, KilometersPerHour) {
  EXPECT_DOUBLE_EQ(ImpliedSpeedKmh(100'000, absl::Hours(1)), 100);
  EXPECT_DOUBLE_EQ(ImpliedSpeedKmh(1000, absl::Minutes(1)), 60);
  EXPECT_TRUE(std::isinf(ImpliedSpeedKmh(10, absl::ZeroDuration())));
  EXPECT_DOUBLE_EQ(ImpliedSpeedKmh(0, absl::ZeroDuration()), 0);
  EXPECT_TRUE(std::isinf(ImpliedSpeedKmh(10, -absl::Seconds(1))));
}

class Suspicious : public ::testing::Test {
 protected:
  // People's Square, Shanghai, and Hangzhou West Lake (~165 km apart).
  static constexpr double kShLat = 31.2304, kShLng = 121.4737;
  static constexpr double kHzLat = 30.2460, kHzLng = 120.1550;
  const absl::Time t0 = Beijing(2024, 3, 4, 9, 0);
  VisitPolicy policy;
};

TEST_F(Suspicious, NothingWithoutHistory) {
  EXPECT_EQ(SuspiciousReason({t0, kShLat, kShLng, 1, "dev"}, std::nullopt,
                             std::nullopt, policy),
            std::nullopt);
}

TEST_F(Suspicious, ImpossibleSpeed) {
  const double d = validate::HaversineMeters(kShLat, kShLng, kHzLat, kHzLng);
  ASSERT_GT(d, 150'000);
  CheckInFix prev{t0, kShLat, kShLng, 1, "dev"};
  // 165 km in 30 minutes: ~330 km/h.
  auto r = SuspiciousReason({t0 + absl::Minutes(30), kHzLat, kHzLng, 2, "dev"},
                            prev, std::nullopt, policy);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, HasSubstr("impossible speed"));
  EXPECT_THAT(*r, HasSubstr("account 1"));
  EXPECT_THAT(*r, HasSubstr("km/h"));
  // The same trip in two hours (~83 km/h) is a car ride.
  EXPECT_EQ(SuspiciousReason({t0 + absl::Hours(2), kHzLat, kHzLng, 2, "dev"},
                             prev, std::nullopt, policy),
            std::nullopt);
}

TEST_F(Suspicious, SmallJumpsAreGpsJitterNotSpeed) {
  CheckInFix prev{t0, kShLat, kShLng, 1, "dev"};
  // ~500 m in 5 seconds is "360 km/h" but below the 1 km jump floor.
  auto r = SuspiciousReason(
      {t0 + absl::Seconds(5), kShLat + 0.0045, kShLng, 2, "dev"}, prev,
      std::nullopt, policy);
  EXPECT_EQ(r, std::nullopt);
  // 2 km at the same instant is not.
  r = SuspiciousReason({t0, kShLat + 0.018, kShLng, 2, "dev"}, prev,
                       std::nullopt, policy);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, HasSubstr("impossible speed"));
}

TEST_F(Suspicious, ExactRepeatAtAnotherAccount) {
  auto r =
      SuspiciousReason({t0, kShLat, kShLng, 2, "dev"}, std::nullopt, 7, policy);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, HasSubstr("repeat exactly"));
  EXPECT_THAT(*r, HasSubstr("account 7"));
}

TEST_F(Suspicious, DeviceChangeWithinWindow) {
  CheckInFix prev{t0, kShLat, kShLng, 1, "phone-A"};
  auto r =
      SuspiciousReason({t0 + absl::Minutes(30), kShLat, kShLng, 2, "phone-B"},
                       prev, std::nullopt, policy);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, HasSubstr("device changed"));
  // After the window a new phone is fine; an empty id is not a change.
  EXPECT_EQ(
      SuspiciousReason({t0 + absl::Hours(3), kShLat, kShLng, 2, "phone-B"},
                       prev, std::nullopt, policy),
      std::nullopt);
  EXPECT_EQ(SuspiciousReason({t0 + absl::Minutes(5), kShLat, kShLng, 2, ""},
                             prev, std::nullopt, policy),
            std::nullopt);
}

TEST_F(Suspicious, ReasonsCombine) {
  CheckInFix prev{t0, kShLat, kShLng, 1, "phone-A"};
  auto r = SuspiciousReason(
      {t0 + absl::Minutes(10), kHzLat, kHzLng, 2, "phone-B"}, prev, 9, policy);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(*r, HasSubstr("impossible speed"));
  EXPECT_THAT(*r, HasSubstr("device changed"));
  EXPECT_THAT(*r, HasSubstr("account 9"));
  EXPECT_LE(r->size(), 300u);
}

}  // namespace
}  // namespace crm::accounts

namespace crm::accounts {
namespace {

TEST(VisitConfigTest, WorkHoursParseAndReject) {
  VisitPolicy p;
  ASSERT_TRUE(ParseWorkHours("09:30-18:00", "hours", &p).ok());
  EXPECT_EQ(p.work_start_minute, 9 * 60 + 30);
  EXPECT_EQ(p.work_end_minute, 18 * 60);
  ASSERT_TRUE(ParseWorkHours("00:00-24:00", "hours", &p).ok());
  EXPECT_EQ(p.work_end_minute, 24 * 60);
  for (const char* bad :
       {"", "9:30-18:00", "18:00-09:00", "08:00-08:00", "08:60-20:00",
        "25:00-26:00", "08:00", "aa:bb-cc:dd"}) {
    VisitPolicy q;
    absl::Status s = ParseWorkHours(bad, "hours", &q);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(q.work_start_minute, 8 * 60) << "unchanged on error: " << bad;
  }
}

TEST(VisitConfigTest, WorkDaysRangesAndLists) {
  VisitPolicy p;
  ASSERT_TRUE(ParseWorkDays("Mon-Fri", "days", &p).ok());
  EXPECT_TRUE(p.work_days[0] && p.work_days[4]);
  EXPECT_FALSE(p.work_days[5] || p.work_days[6]);
  ASSERT_TRUE(ParseWorkDays("mon-wed, SAT", "days", &p).ok());
  EXPECT_TRUE(p.work_days[0] && p.work_days[2] && p.work_days[5]);
  EXPECT_FALSE(p.work_days[3] || p.work_days[4] || p.work_days[6]);
  for (const char* bad : {"", "Fri-Mon", "Monday", "Mon,,Tue", "Mon-"}) {
    VisitPolicy q;
    EXPECT_EQ(ParseWorkDays(bad, "days", &q).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_FALSE(q.work_days[6]) << "unchanged on error: " << bad;
  }
}

TEST(VisitConfigTest, ConfiguredHoursDecideWorkTime) {
  VisitPolicy p;
  ASSERT_TRUE(ParseWorkHours("10:00-12:00", "hours", &p).ok());
  // 2026-11-25 is a Wednesday; 11:00 China time = 03:00 UTC.
  const absl::Time eleven = absl::FromCivil(
      absl::CivilSecond(2026, 11, 25, 3, 0, 0), absl::UTCTimeZone());
  EXPECT_TRUE(CheckWorkHours(eleven, p).ok());
  EXPECT_EQ(CheckWorkHours(eleven + absl::Hours(2), p).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ParseWorkDays("Thu-Sun", "days", &p).ok());
  EXPECT_EQ(CheckWorkHours(eleven, p).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace crm::accounts
