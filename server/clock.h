// The time source of the batcher and admission, injectable so their tests
// can move time by hand instead of sleeping.
#ifndef GANSERVE_SERVER_CLOCK_H_
#define GANSERVE_SERVER_CLOCK_H_

#include <chrono>

namespace ganserve {

using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;

  // The process's steady clock.
  static const Clock& Steady();
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_CLOCK_H_
