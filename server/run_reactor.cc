#include "server/run_reactor.h"

namespace ganserve {

TimePoint SteadyDeadline(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return TimePoint::max();
  return std::chrono::steady_clock::now() + std::chrono::duration_cast<TimePoint::duration>(
                                                deadline - std::chrono::system_clock::now());
}

}  // namespace ganserve
