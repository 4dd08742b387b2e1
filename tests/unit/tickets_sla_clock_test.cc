// SLA clock arithmetic over business hours, weekends and pauses. Default
// hours: Mon..Fri 09:00-18:00 at UTC+8. 2026-11-23 is a Monday. Times are
// written in local time (UTC+8) and converted.
#include <gtest/gtest.h>

#include <vector>

#include "absl/time/civil_time.h"
#include "services/tickets/domain/sla_clock.h"

namespace crm::tickets {
namespace {

absl::Time Local(int d, int hh, int mm = 0) {  // November 2026, UTC+8
  return absl::FromCivil(absl::CivilSecond(2026, 11, d, hh, mm, 0),
                         absl::FixedTimeZone(8 * 3600));
}
constexpr int64_t kH = 3600;

TEST(BusinessSeconds, InsideOneDay) {
  Hours h;
  EXPECT_EQ(BusinessSeconds(h, Local(23, 10), Local(23, 12)), 2 * kH);
}

TEST(BusinessSeconds, ClipsBeforeOpeningAndAfterClosing) {
  Hours h;
  EXPECT_EQ(BusinessSeconds(h, Local(23, 7), Local(23, 20)), 9 * kH);
}

TEST(BusinessSeconds, Overnight) {
  Hours h;  // Mon 17:00 -> Tue 10:00 = 1h + 1h
  EXPECT_EQ(BusinessSeconds(h, Local(23, 17), Local(24, 10)), 2 * kH);
}

TEST(BusinessSeconds, AcrossTheWeekend) {
  Hours h;  // Fri 27th 16:00 -> Mon 30th 11:00 = 2h + 2h
  EXPECT_EQ(BusinessSeconds(h, Local(27, 16), Local(30, 11)), 4 * kH);
}

TEST(BusinessSeconds, WeekendOnlyIsZero) {
  Hours h;
  EXPECT_EQ(BusinessSeconds(h, Local(28, 9), Local(29, 23)), 0);
}

TEST(BusinessSeconds, MultiDay) {
  Hours h;  // Mon 09:00 -> Fri 18:00 = 5 x 9h
  EXPECT_EQ(BusinessSeconds(h, Local(23, 9), Local(27, 18)), 45 * kH);
}

TEST(BusinessSeconds, EmptyOrReversedIntervalIsZero) {
  Hours h;
  EXPECT_EQ(BusinessSeconds(h, Local(23, 12), Local(23, 12)), 0);
  EXPECT_EQ(BusinessSeconds(h, Local(23, 12), Local(23, 10)), 0);
}

TEST(BusinessSeconds, OffsetMatters) {
  Hours h;
  h.utc_offset_minutes = 0;  // 09:00-18:00 UTC = 17:00-02:00 UTC+8
  EXPECT_EQ(BusinessSeconds(h, Local(23, 9), Local(23, 18)), 1 * kH);
}

TEST(BusinessSeconds, SevenDayWeek) {
  Hours h;
  h.work_days = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(BusinessSeconds(h, Local(28, 9), Local(29, 18)), 18 * kH);
}

TEST(AddBusinessSeconds, SameDay) {
  Hours h;
  EXPECT_EQ(AddBusinessSeconds(h, Local(23, 10), 4 * kH), Local(23, 14));
}

TEST(AddBusinessSeconds, StartsBeforeOpening) {
  Hours h;
  EXPECT_EQ(AddBusinessSeconds(h, Local(23, 6), 1 * kH), Local(23, 10));
}

TEST(AddBusinessSeconds, RollsOvernight) {
  Hours h;  // Mon 16:00 + 4h = 2h Mon + 2h Tue -> Tue 11:00
  EXPECT_EQ(AddBusinessSeconds(h, Local(23, 16), 4 * kH), Local(24, 11));
}

TEST(AddBusinessSeconds, ExactlyAtClosingStaysThatDay) {
  Hours h;
  EXPECT_EQ(AddBusinessSeconds(h, Local(23, 16), 2 * kH), Local(23, 18));
}

TEST(AddBusinessSeconds, SkipsTheWeekend) {
  Hours h;  // Fri 17:00 + 3h -> Mon 11:00
  EXPECT_EQ(AddBusinessSeconds(h, Local(27, 17), 3 * kH), Local(30, 11));
}

TEST(AddBusinessSeconds, StartedOnSaturday) {
  Hours h;
  EXPECT_EQ(AddBusinessSeconds(h, Local(28, 12), 30 * 60), Local(30, 9, 30));
}

TEST(AddBusinessSeconds, ZeroIsStart) {
  Hours h;
  EXPECT_EQ(AddBusinessSeconds(h, Local(28, 12), 0), Local(28, 12));
}

TEST(AddBusinessSeconds, InverseOfBusinessSeconds) {
  Hours h;
  const absl::Time start = Local(25, 15, 17);
  for (int64_t s :
       std::vector<int64_t>{1, 59, 3 * kH, 9 * kH, 20 * kH, 100 * kH}) {
    EXPECT_EQ(BusinessSeconds(h, start, AddBusinessSeconds(h, start, s)), s);
  }
}

SlaClock Clock(absl::Time started, int64_t budget) {
  return SlaClock{started, budget, 0, absl::InfinitePast(),
                  absl::InfiniteFuture()};
}

TEST(SlaClockTest, UsedAndDueWithoutPause) {
  Hours h;  // created Mon 17:00, 4h budget -> due Tue 12:00
  SlaClock c = Clock(Local(23, 17), 4 * kH);
  EXPECT_EQ(UsedSeconds(h, c, Local(24, 10)), 2 * kH);
  EXPECT_EQ(DueAt(h, c, Local(24, 10)), Local(24, 12));
}

TEST(SlaClockTest, FinishedPauseSpanningClosingTime) {
  Hours h;  // created Mon 10:00; waiting Mon 17:00 -> Tue 10:00 (2h paused)
  SlaClock c = Clock(Local(23, 10), 8 * kH);
  c.paused_seconds = BusinessSeconds(h, Local(23, 17), Local(24, 10));
  EXPECT_EQ(c.paused_seconds, 2 * kH);
  // at Tue 12:00: 8h+3h business elapsed - 2h paused = 9h? Mon 10-18 is 8h,
  // Tue 9-12 is 3h: 11h - 2h = 9h.
  EXPECT_EQ(UsedSeconds(h, c, Local(24, 12)), 9 * kH);
  // due: 8h + 2h business after Mon 10:00 -> Tue 11:00
  EXPECT_EQ(DueAt(h, c, Local(24, 12)), Local(24, 11));
}

TEST(SlaClockTest, RunningPauseStopsTheClock) {
  Hours h;  // created Mon 09:00, waiting since Mon 11:00
  SlaClock c = Clock(Local(23, 9), 4 * kH);
  c.paused_since = Local(23, 11);
  EXPECT_EQ(UsedSeconds(h, c, Local(25, 15)), 2 * kH);
  EXPECT_EQ(Evaluate(h, c, Local(25, 15), 80), SlaState::kOk);
  // resumed now (Wed 15:00) it has 2h left -> Wed 17:00
  EXPECT_EQ(DueAt(h, c, Local(25, 15)), Local(25, 17));
}

TEST(SlaClockTest, StoppedWhenMet) {
  Hours h;
  SlaClock c = Clock(Local(23, 9), 4 * kH);
  c.stopped = Local(23, 10);
  EXPECT_EQ(UsedSeconds(h, c, Local(27, 18)), 1 * kH);
}

TEST(SlaClockTest, NearBreachAndBreach) {
  Hours h;  // 10h budget from Mon 09:00
  SlaClock c = Clock(Local(23, 9), 10 * kH);
  EXPECT_EQ(Evaluate(h, c, Local(23, 16), 80), SlaState::kOk);          // 7h
  EXPECT_EQ(Evaluate(h, c, Local(23, 17), 80), SlaState::kNearBreach);  // 8h
  EXPECT_EQ(Evaluate(h, c, Local(24, 9, 59), 80), SlaState::kNearBreach);
  EXPECT_EQ(Evaluate(h, c, Local(24, 10), 80), SlaState::kBreached);  // 10h
  // the weekend does not count: a Friday-evening ticket is fine on Sunday
  SlaClock f = Clock(Local(27, 18), 1 * kH);
  EXPECT_EQ(Evaluate(h, f, Local(29, 23), 80), SlaState::kOk);
}

TEST(ValidateHoursTest, RejectsBadHours) {
  Hours h;
  EXPECT_TRUE(ValidateHours(h).ok());
  Hours none = h;
  none.work_days.clear();
  EXPECT_EQ(ValidateHours(none).code(), absl::StatusCode::kInvalidArgument);
  Hours day8 = h;
  day8.work_days = {8};
  EXPECT_EQ(ValidateHours(day8).code(), absl::StatusCode::kInvalidArgument);
  Hours reversed = h;
  reversed.start_minute = 18 * 60;
  reversed.end_minute = 9 * 60;
  EXPECT_EQ(ValidateHours(reversed).code(), absl::StatusCode::kInvalidArgument);
  Hours late = h;
  late.end_minute = 1441;
  EXPECT_EQ(ValidateHours(late).code(), absl::StatusCode::kInvalidArgument);
  Hours far = h;
  far.utc_offset_minutes = 15 * 60;
  EXPECT_EQ(ValidateHours(far).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::tickets
