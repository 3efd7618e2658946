#include "server/admission.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ganserve {
namespace {

absl::Status Refuse(const std::string& why, double retry_after_s) {
  absl::Status status = absl::ResourceExhaustedError(why);
  const int64_t ms = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(retry_after_s * 1e3)));
  status.SetPayload(kRetryAfterMsPayload, absl::Cord(absl::StrCat(ms)));
  return status;
}

}  // namespace

void ThroughputEstimate::Observe(int64_t images, double seconds) {
  if (images <= 0 || !(seconds >= 0)) return;
  images_ = images_ * kDecay + static_cast<double>(images);
  seconds_ = seconds_ * kDecay + seconds;
  const double off = std::abs(seconds / static_cast<double>(images) - seconds_ / images_);
  deviation_ = deviation_ * kDecay + (1 - kDecay) * off;
}

double EstimatedWaitSeconds(const AdmissionInput& input) {
  return static_cast<double>(input.queued_images + input.running_images) * input.seconds_per_image /
         std::max(1, input.workers);
}

absl::Status Admit(const AdmissionOptions& options, const AdmissionInput& input) {
  const double per_worker = input.seconds_per_image / std::max(1, input.workers);
  const double wait = EstimatedWaitSeconds(input);
  // The hint is at least the current queue's wait: refused callers that all
  // came back the moment the queue first had room would meet it full again,
  // and a storm of cheap refusals takes the cores compute needs.
  auto hint = [&](double until_room) {
    return std::max(until_room, wait) * (1.0 + std::clamp(input.retry_spread, 0.0, 1.0));
  };
  if (input.queued_images + input.count > options.max_queued_images) {
    const int64_t excess = input.queued_images + input.count - options.max_queued_images;
    return Refuse(
        absl::StrCat("the model's queue is full (", input.queued_images, " images queued, at most ",
                     options.max_queued_images, "); retry later"),
        hint(static_cast<double>(excess) * per_worker));
  }
  const double limit = std::chrono::duration<double>(options.max_queue_time).count();
  if (wait > limit) {
    return Refuse(absl::StrFormat("the estimated queue wait (%.0f ms for %d images queued, %d "
                                  "running) is over the server's limit of %d ms; retry later",
                                  wait * 1e3, input.queued_images, input.running_images,
                                  options.max_queue_time.count()),
                  hint(wait - limit));
  }
  if (input.deadline != TimePoint::max()) {
    const double left = std::chrono::duration<double>(input.deadline - input.now).count();
    const double needed = wait + static_cast<double>(input.count) * input.seconds_per_image;
    if (needed > left) {
      return Refuse(absl::StrFormat("the call's deadline (%.0f ms left) is shorter than the "
                                    "estimated queue wait and compute (%.0f ms); retry later or "
                                    "with a longer deadline",
                                    left * 1e3, needed * 1e3),
                    hint(needed - left));
    }
  }
  return absl::OkStatus();
}

std::optional<int64_t> RetryAfterMs(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryAfterMsPayload);
  int64_t ms = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &ms)) return std::nullopt;
  return ms;
}

}  // namespace ganserve
