// Admission by time: a call is let into a model's queue only if the wait it
// would have, estimated from the images queued ahead of it and the model's
// measured rate, fits its deadline and the server's longest queue time.
#ifndef GANSERVE_SERVER_ADMISSION_H_
#define GANSERVE_SERVER_ADMISSION_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "server/clock.h"

namespace ganserve {

struct AdmissionOptions {
  std::chrono::milliseconds max_queue_time{1000};
  int64_t max_queued_images = 4096;  // hard cap, whatever the estimate says
};

// Seconds per image of one worker, from the batches it ran: decayed sums of
// images and seconds, so full batches under load dominate once they come,
// plus twice the decayed deviation of single batches from that mean. The
// mean alone let the queue grow while it read low, so the calls admitted
// then waited past the limit (as TCP's retransmit timer adds its
// round-trip's deviation).
class ThroughputEstimate {
 public:
  void Observe(int64_t images, double seconds);
  // 0 until something was observed.
  double seconds_per_image() const {
    return images_ > 0 ? seconds_ / images_ + kDeviations * deviation_ : 0.0;
  }

 private:
  static constexpr double kDecay = 0.9;
  static constexpr double kDeviations = 2;
  double images_ = 0, seconds_ = 0, deviation_ = 0;
};

struct AdmissionInput {
  int64_t queued_images = 0;   // live images queued ahead of this call
  int64_t running_images = 0;  // taken by workers, not finished: ahead too
  int64_t count = 0;           // images this call asks for
  int workers = 1;
  double seconds_per_image = 0;
  TimePoint now;
  TimePoint deadline = TimePoint::max();
  // In [0, 1): how far past the queue's wait this refusal's retry hint
  // reaches. Callers refused together then come back spread over that much
  // more time instead of all at once, when the burst would queue up again.
  double retry_spread = 0;
};

// The estimated wait before this call's first image starts computing: the
// images queued and running ahead of it, at the measured rate.
double EstimatedWaitSeconds(const AdmissionInput& input);

// OK, or RESOURCE_EXHAUSTED saying which limit the call would break, with
// the retry hint attached as the payload kRetryAfterMsPayload: milliseconds
// until the queue should have room for the call, and at least the current
// queue's estimated wait, stretched by retry_spread.
absl::Status Admit(const AdmissionOptions& options, const AdmissionInput& input);

inline constexpr char kRetryAfterMsPayload[] = "ganserve/retry-after-ms";
// The retry hint of a refusal made by Admit, if any.
std::optional<int64_t> RetryAfterMs(const absl::Status& status);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_ADMISSION_H_
