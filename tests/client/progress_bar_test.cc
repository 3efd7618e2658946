// bench's live progress line: the rate is of the measured phase (warm-up
// neither counted nor timed), warm-up says so, and the bar fills with the
// fraction done.
#include "client/progress_bar.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(ProgressLine, RateIsCompletionsOverTimeSinceWarmUpEnded) {
  BenchProgress p;
  p.elapsed_seconds = 12;  // 2 s of warm-up, then 10 s measured
  p.warmup_seconds = 2;
  p.measured_seconds = 10;
  p.sent = 103;
  p.ok = 95;
  p.errors = 5;
  p.in_flight = 3;
  const std::string line = ProgressLine(p, -1, 30);
  EXPECT_EQ(line, "  10.0s      100 req      10.0 req/s      5 err     3 in flight");
  EXPECT_THAT(line, Not(HasSubstr("8.3 req/s")));  // 100 / 12: warm-up in the denominator
}

TEST(ProgressLine, WarmUpShowsAsSuchWithoutARate) {
  BenchProgress p;
  p.elapsed_seconds = 1.5;
  p.warmup_seconds = 2;
  p.warming_up = true;
  const std::string line = ProgressLine(p, 0.15, 10);
  EXPECT_EQ(line, "[#.........] warm-up 1.5s of 2.0s, not counted");
  EXPECT_THAT(line, Not(HasSubstr("req/s")));
}

TEST(ProgressLine, BarFillsWithTheFractionAndIsAbsentWhenTheEndIsUnknown) {
  BenchProgress p;
  p.measured_seconds = 1;
  p.ok = 4;
  EXPECT_THAT(ProgressLine(p, 0.5, 10), StartsWith("[#####.....]    1.0s        4 req"));
  EXPECT_THAT(ProgressLine(p, 2.0, 4), StartsWith("[####] "));
  EXPECT_THAT(ProgressLine(p, -1, 10), Not(HasSubstr("[")));
  EXPECT_THAT(ProgressLine(BenchProgress{}, -1, 10), HasSubstr("0.0 req/s"));  // no division by 0
}

}  // namespace
}  // namespace ganserve::client
