#include "engine/onednn/own_load.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>

namespace ganserve {
namespace {

double ClockSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

double OwnLoadAverage::Update(double cpu_seconds, double wall_seconds) {
  if (!started_) {
    started_ = true;
  } else if (wall_seconds > wall_) {
    const double dt = wall_seconds - wall_;
    const double rate = std::max(0.0, cpu_seconds - cpu_) / dt;
    const double keep = std::exp(-dt / kTimeConstantS);
    cores_ = cores_ * keep + rate * (1 - keep);
  } else {
    return cores_;  // no time passed: keep the previous sample as the base
  }
  cpu_ = cpu_seconds;
  wall_ = wall_seconds;
  return cores_;
}

double ForeignLoadAverage() {
  static std::mutex mu;
  static OwnLoadAverage own;
  double load = 0;
  if (getloadavg(&load, 1) != 1) return 0;
  std::lock_guard lock(mu);
  const double mine =
      own.Update(ClockSeconds(CLOCK_PROCESS_CPUTIME_ID), ClockSeconds(CLOCK_MONOTONIC));
  return std::max(0.0, load - mine);
}

}  // namespace ganserve
