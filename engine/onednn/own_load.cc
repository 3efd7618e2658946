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
  // The kernel updates its load average every 5 s: reading it (and this
  // process's CPU time, both system calls) once per batch bought nothing.
  constexpr double kRefreshS = 0.1;
  static std::mutex mu;
  static OwnLoadAverage own;
  static double last_read = -1, foreign = 0;
  const double now = ClockSeconds(CLOCK_MONOTONIC);
  std::lock_guard lock(mu);
  if (last_read >= 0 && now - last_read < kRefreshS) return foreign;
  last_read = now;
  double load = 0;
  if (getloadavg(&load, 1) != 1) return foreign = 0;
  const double mine = own.Update(ClockSeconds(CLOCK_PROCESS_CPUTIME_ID), now);
  return foreign = std::max(0.0, load - mine);
}

}  // namespace ganserve
