// Ticket stats in business time: each ticket's first-response and
// resolution times come from the same SLA clocks as monitoring (business
// hours only, waiting on the customer and time sitting resolved before a
// reopen excluded), and a breach counts as soon as a clock has used its
// budget. Default hours: Mon..Fri 09:00-18:00 at UTC+8; 2026-11-23 is a
// Monday; times are written in local time.
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "services/tickets/domain/sla_clock.h"
#include "services/tickets/domain/stats.h"
#include "services/tickets/tickets_convert.h"

namespace crm::tickets {
namespace {

absl::Time Local(int d, int hh, int mm = 0) {  // November 2026, UTC+8
  return absl::FromCivil(absl::CivilSecond(2026, 11, d, hh, mm, 0),
                         absl::FixedTimeZone(8 * 3600));
}
constexpr int64_t kH = 3600;

// Created Mon 17:00 with a 4h first-response and 16h resolution budget.
TicketRecord Ticket() {
  TicketRecord r;
  r.id = 1;
  r.created_at = Local(23, 17);
  r.first_response_budget_s = 4 * kH;
  r.resolution_budget_s = 16 * kH;
  return r;
}

StatsInput MeasureAt(const TicketRecord& r, absl::Time now) {
  return Measure("k", Hours{}, FirstResponseClock(r), ResolutionClock(r),
                 r.breached, r.satisfaction, now);
}

TEST(StatsMeasureTest, FirstResponseInBusinessTimeNotWallClock) {
  TicketRecord r = Ticket();
  r.first_response_at = Local(24, 10);  // 17h wall-clock, 2h business
  const StatsInput s = MeasureAt(r, Local(24, 10));
  ASSERT_TRUE(s.first_response_seconds.has_value());
  EXPECT_EQ(*s.first_response_seconds, 2 * kH);
  EXPECT_FALSE(s.resolution_seconds.has_value());
  EXPECT_FALSE(s.breached);
}

TEST(StatsMeasureTest, ResolutionExcludesPausesAndWeekends) {
  TicketRecord r = Ticket();
  r.first_response_at = Local(24, 10);
  // Waiting on the customer Tue 11:00 -> Wed 11:00 (9h business), then
  // resolved Wed 12:00: Mon 1h + Tue 9h + Wed 3h - 9h paused = 4h.
  r.paused_s = BusinessSeconds(Hours{}, Local(24, 11), Local(25, 11));
  ASSERT_EQ(r.paused_s, 9 * kH);
  r.resolved_at = Local(25, 12);
  const StatsInput s = MeasureAt(r, Local(30, 12));
  ASSERT_TRUE(s.resolution_seconds.has_value());
  EXPECT_EQ(*s.resolution_seconds, 4 * kH);
  // The later pause does not touch the first response.
  EXPECT_EQ(*s.first_response_seconds, 2 * kH);
  EXPECT_FALSE(s.breached);
}

TEST(StatsMeasureTest, WeekendDoesNotCount) {
  TicketRecord r = Ticket();
  r.created_at = Local(27, 17);         // Friday 17:00
  r.first_response_at = Local(30, 10);  // Monday 10:00: 2h business
  r.resolved_at = Local(30, 11);
  const StatsInput s = MeasureAt(r, Local(30, 11));
  EXPECT_EQ(*s.first_response_seconds, 2 * kH);
  EXPECT_EQ(*s.resolution_seconds, 3 * kH);
  EXPECT_FALSE(s.breached);
}

TEST(StatsMeasureTest, BreachCountsOnTheClockBeforeTheSlaPass) {
  TicketRecord r = Ticket();
  // No first response by Tue 13:00: 1h + 4h = 5h > 4h budget.
  EXPECT_TRUE(MeasureAt(r, Local(24, 13)).breached);
  EXPECT_FALSE(MeasureAt(r, Local(24, 11)).breached);  // 3h used
  // Waiting on the customer stops the resolution clock: not breached.
  r.first_response_at = Local(24, 9);
  r.paused_since = Local(24, 10);
  EXPECT_FALSE(MeasureAt(r, Local(30, 17)).breached);
  // A ticket monitoring marked breached stays breached.
  r.breached = true;
  EXPECT_TRUE(MeasureAt(r, Local(24, 10)).breached);
}

TEST(StatsMeasureTest, ResolvedLateIsABreachEvenAfterTheFact) {
  TicketRecord r = Ticket();
  r.first_response_at = Local(24, 9);
  r.resolved_at = Local(26, 11);  // 1 + 9 + 9 + 2 = 21h > 16h
  const StatsInput s = MeasureAt(r, Local(30, 9));
  EXPECT_EQ(*s.resolution_seconds, 21 * kH);
  EXPECT_TRUE(s.breached);
}

TEST(FirstResponseClockTest, LaterPausesDoNotMoveTheStoppedClock) {
  TicketRecord r = Ticket();
  r.first_response_at = Local(24, 10);
  r.paused_s = 5 * kH;
  r.paused_since = Local(25, 9);
  const SlaClock c = FirstResponseClock(r);
  EXPECT_EQ(UsedSeconds(Hours{}, c, Local(30, 9)), 2 * kH);
  // Due stays creation + 4h business: Tue 12:00.
  EXPECT_EQ(DueAt(Hours{}, c, Local(30, 9)), Local(24, 12));
  // The resolution clock does take them.
  const SlaClock res = ResolutionClock(r);
  EXPECT_EQ(res.paused_seconds, 5 * kH);
}

TEST(StatsSummaryTest, MedianAndP90OfBusinessTimes) {
  std::vector<StatsInput> rows;
  for (int i = 1; i <= 10; ++i) {
    TicketRecord r = Ticket();
    r.created_at = Local(23, 9);
    r.first_response_at = Local(23, 9) + absl::Minutes(10 * i);
    // Overnight resolutions: Mon 09:00 -> Tue 09:00 + i h is 9h + i h.
    r.resolved_at = Local(24, 9 + i % 9);
    r.resolution_budget_s = 100 * kH;
    rows.push_back(MeasureAt(r, Local(30, 9)));
  }
  auto s = Summarize(rows);
  EXPECT_EQ(s["k"].volume, 10);
  EXPECT_EQ(s["k"].first_response_median, 50 * 60);
  EXPECT_EQ(s["k"].first_response_p90, 90 * 60);
  // 9h + (i % 9)h: {10,11,...,17,9,10}h -> sorted 9,10,10,11,...,17
  EXPECT_EQ(s["k"].resolution_median, 12 * kH);
  EXPECT_EQ(s["k"].resolution_p90, 16 * kH);
  EXPECT_EQ(s["k"].breach_rate, 0);
}

}  // namespace
}  // namespace crm::tickets
