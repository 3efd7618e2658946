#include "engine/onednn/own_load.h"

#include <cmath>

#include "gtest/gtest.h"

namespace ganserve {
namespace {

// Expectations from the closed form of an exponential moving average with a
// 60 s time constant: a constant rate r since t = 0 gives r * (1 - e^(-t/60)).
TEST(OwnLoadAverage, ConvergesToTheProcessCpuRateLikeTheKernelAverage) {
  OwnLoadAverage own;
  EXPECT_EQ(own.Update(0, 100), 0);  // the first sample only sets the base
  double cpu = 0;
  for (int s = 1; s <= 60; ++s) own.Update(cpu += 1.5, 100 + s);  // 1.5 cores for 60 s
  EXPECT_NEAR(own.cores(), 1.5 * (1 - std::exp(-1.0)), 1e-9);
  for (int s = 61; s <= 600; ++s) own.Update(cpu += 1.5, 100 + s);
  EXPECT_NEAR(own.cores(), 1.5, 1e-3);
}

TEST(OwnLoadAverage, DecaysWhenTheProcessIdles) {
  OwnLoadAverage own;
  own.Update(0, 0);
  own.Update(600 * 2.0, 600);  // two cores for ten minutes: ~2
  const double busy = own.cores();
  own.Update(600 * 2.0, 660);  // then a minute with no CPU time
  EXPECT_NEAR(own.cores(), busy * std::exp(-1.0), 1e-9);
}

TEST(OwnLoadAverage, IgnoresSamplesWithoutElapsedTime) {
  OwnLoadAverage own;
  own.Update(0, 10);
  own.Update(5, 10);  // same instant: no rate to take
  EXPECT_EQ(own.cores(), 0);
  own.Update(5, 70);  // 5 CPU seconds over the 60 s since the base
  EXPECT_NEAR(own.cores(), (5.0 / 60) * (1 - std::exp(-1.0)), 1e-9);
}

TEST(ForeignLoadAverage, IsNeverNegativeNorAboveTheLoadAverage) {
  double load = 0;
  ASSERT_EQ(getloadavg(&load, 1), 1);
  const double foreign = ForeignLoadAverage();
  EXPECT_GE(foreign, 0);
  EXPECT_LE(foreign, load + 1.0);  // the kernel refreshes its figure every 5 s
}

}  // namespace
}  // namespace ganserve
