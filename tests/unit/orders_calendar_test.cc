// The business calendar of orders (ADR 0035): business time zones from
// config (common/clock/time_zone.h), and day / period boundaries at
// Beijing midnight (16:00 UTC the day before).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock/time_zone.h"
#include "services/orders/domain/periods.h"

namespace crm::orders {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

TEST(BusinessTimeZone, LoadsIanaNamesAndOffsets) {
  auto sh = LoadBusinessTimeZone("business_time_zone", "Asia/Shanghai");
  ASSERT_TRUE(sh.ok()) << sh.status();
  EXPECT_EQ(sh->name, "Asia/Shanghai");
  // This machine has tzdata; the zone is the real one, not the fallback.
  EXPECT_FALSE(sh->fixed_fallback);
  EXPECT_EQ(absl::ToCivilDay(Utc(2026, 3, 31, 16, 0), sh->zone),
            absl::CivilDay(2026, 4, 1));

  for (const char* spec : {"+08:00", "UTC+8", "UTC+08:00"}) {
    auto z = LoadBusinessTimeZone("business_time_zone", spec);
    ASSERT_TRUE(z.ok()) << spec << ": " << z.status();
    EXPECT_EQ(absl::ToCivilSecond(Utc(2026, 3, 31, 16, 0), z->zone),
              absl::CivilSecond(2026, 4, 1, 0, 0, 0))
        << spec;
  }
  auto minus = LoadBusinessTimeZone("tz", "-05:30");
  ASSERT_TRUE(minus.ok());
  EXPECT_EQ(absl::ToCivilSecond(Utc(2026, 1, 1, 5, 0), minus->zone),
            absl::CivilSecond(2025, 12, 31, 23, 30, 0));
  auto utc = LoadBusinessTimeZone("tz", "UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(absl::ToCivilDay(Utc(2026, 3, 31, 23, 59), utc->zone),
            absl::CivilDay(2026, 3, 31));
}

TEST(BusinessTimeZone, RejectsBadZonesNamingTheField) {
  for (const char* spec :
       {"", "Mars/Olympus_Mons", "+8:0", "+15:00", "UTC+8:60", "08:00", "+",
        "../../etc/passwd", "/usr/share/zoneinfo/Asia/Shanghai"}) {
    auto z = LoadBusinessTimeZone("business_time_zone", spec);
    ASSERT_FALSE(z.ok()) << spec;
    EXPECT_EQ(z.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(z.status().message(), HasSubstr("business_time_zone"));
  }
}

TEST(BusinessTimeZone, OffsetsParse) {
  EXPECT_EQ(ParseUtcOffset("+08:00"), 8 * 3600);
  EXPECT_EQ(ParseUtcOffset("UTC-3"), -3 * 3600);
  EXPECT_EQ(ParseUtcOffset("+14:00"), 14 * 3600);
  EXPECT_EQ(ParseUtcOffset("Z"), 0);
  EXPECT_EQ(ParseUtcOffset("+14:30"), std::nullopt);
  EXPECT_EQ(ParseUtcOffset("Asia/Shanghai"), std::nullopt);
  EXPECT_EQ(ParseUtcOffset("+0800"), std::nullopt);
}

// The fallback without tzdata gives the same days as the real zone for
// every date since 1992 (China has had no DST since 1991).
TEST(BusinessTimeZone, FixedFallbackMatchesTzdataSince1992) {
  for (const char* name : {"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei",
                           "Asia/Tokyo", "Asia/Singapore"}) {
    absl::TimeZone real;
    ASSERT_TRUE(absl::LoadTimeZone(name, &real)) << name;
    std::optional<int> offset = KnownFixedOffset(name);
    ASSERT_TRUE(offset.has_value()) << name;
    const absl::TimeZone fixed = absl::FixedTimeZone(*offset);
    for (absl::CivilDay d(1992, 1, 1); d < absl::CivilDay(2040, 1, 1); d += 7) {
      ASSERT_EQ(absl::FromCivil(d, real), absl::FromCivil(d, fixed))
          << name << " " << d;
    }
  }
  EXPECT_EQ(KnownFixedOffset("Europe/Berlin"), std::nullopt);  // has DST
}

TEST(BusinessCalendar, DefaultIsShanghaiMidnight) {
  const BusinessCalendar cal;
  // 2026-03-31T23:30+08:00 is still March; 2026-04-01T00:00+08:00 is not.
  EXPECT_EQ(cal.DayOf(Utc(2026, 3, 31, 15, 30)), absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(cal.DayOf(Utc(2026, 3, 31, 15, 59, 59)),
            absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(cal.DayOf(Utc(2026, 3, 31, 16, 0)), absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(cal.StartOf(absl::CivilDay(2026, 4, 1)), Utc(2026, 3, 31, 16, 0));

  auto march = ParsePeriod("period", "2026-03");
  ASSERT_TRUE(march.ok());
  EXPECT_EQ(cal.Start(*march), Utc(2026, 2, 28, 16, 0));
  EXPECT_EQ(cal.End(*march), Utc(2026, 3, 31, 16, 0));
  // Q1 2027 starts at 2026-12-31T16:00Z; the ISO week 2026-W01 on Monday
  // 2025-12-29 Beijing = Sunday 16:00 UTC.
  auto q = ParsePeriod("period", "2027-Q1");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(cal.Start(*q), Utc(2026, 12, 31, 16, 0));
  auto w = ParsePeriod("period", "2026-W01");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(cal.Start(*w), Utc(2025, 12, 28, 16, 0));

  // The leaderboard keys of a signing just before and at Monday
  // 2026-06-01 00:00 Beijing (2026-05-31T16:00Z): day, week and month all
  // turn over at 16:00 UTC, not at UTC midnight.
  const absl::CivilDay before = cal.DayOf(Utc(2026, 5, 31, 15, 59, 59));
  const absl::CivilDay after = cal.DayOf(Utc(2026, 5, 31, 16, 0));
  EXPECT_EQ(PeriodContaining(PeriodKind::kDay, before).key, "2026-05-31");
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, before).key, "2026-W22");
  EXPECT_EQ(PeriodContaining(PeriodKind::kMonth, before).key, "2026-05");
  EXPECT_EQ(PeriodContaining(PeriodKind::kDay, after).key, "2026-06-01");
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, after).key, "2026-W23");
  EXPECT_EQ(PeriodContaining(PeriodKind::kMonth, after).key, "2026-06");
}

TEST(BusinessCalendar, OtherZones) {
  const BusinessCalendar utc(absl::UTCTimeZone());
  EXPECT_EQ(utc.DayOf(Utc(2026, 3, 31, 23, 30)), absl::CivilDay(2026, 3, 31));
  const BusinessCalendar ny(absl::FixedTimeZone(-5 * 3600));
  EXPECT_EQ(ny.DayOf(Utc(2026, 4, 1, 4, 59)), absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(ny.StartOf(absl::CivilDay(2026, 4, 1)), Utc(2026, 4, 1, 5, 0));
}

}  // namespace
}  // namespace crm::orders
