// One model's queue of work and the policy that turns it into batches,
// without threads or a clock of its own (callers pass `now`), so the policy
// is tested by moving time by hand. The Batcher locks and drives it.
//
// Policy: a free worker takes whatever is queued now, up to max_batch images
// (a call's chunk is never split); batches grow only while every worker is
// busy. A positive max_queue_delay lets a free worker wait for a fuller
// batch, at most that long after the oldest item arrived.
#ifndef GANSERVE_SERVER_BATCH_QUEUE_H_
#define GANSERVE_SERVER_BATCH_QUEUE_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "server/admission.h"
#include "server/clock.h"

namespace ganserve {

// A finished item's images: rows [first, first + count) of a batch's output
// [N, H, W, C], shared by every item of that batch.
struct BatchSlice {
  std::shared_ptr<const Tensor> batch;
  int64_t first = 0;
  int64_t count = 0;
  double queue_seconds = 0;    // this item's wait in the queue
  double compute_seconds = 0;  // the whole batch's engine run
  const float* image(int64_t i, int64_t image_size) const {
    return batch->data.data() + (first + i) * image_size;
  }
};

// One piece of a call's work: at most max_batch images.
struct WorkItem {
  std::vector<float> latents;   // count × latent_size
  std::vector<int32_t> labels;  // count, or empty for unconditional models
  int64_t count = 0;
  TimePoint deadline = TimePoint::max();
  // Set by the caller when its call is cancelled: the work is skipped.
  std::shared_ptr<const std::atomic<bool>> cancelled;
  TimePoint enqueued;
  // Called exactly once, with the images or why there are none.
  std::function<void(absl::StatusOr<BatchSlice>)> done;
};

enum class Admission {
  kByTime,   // a call's first chunk: estimated wait vs deadline and max_queue_time
  kCapOnly,  // later chunks of an admitted call: only the hard cap on queued images
};

class BatchQueue {
 public:
  BatchQueue(int max_batch, int workers, std::chrono::microseconds max_queue_delay,
             AdmissionOptions admission);

  // Queues `item` or refuses it (RESOURCE_EXHAUSTED with a retry hint, see
  // admission.h). `total_count` is the images of the whole call, for the
  // deadline estimate. Abandoned items met on the way are moved to `dropped`.
  absl::Status Push(WorkItem item, int64_t total_count, Admission admission, TimePoint now,
                    std::vector<WorkItem>& dropped);

  // Whether a free worker should take a batch now rather than wait for company.
  bool ReadyToTake(TimePoint now) const;
  // When a waiting worker should look again (only meaningful if !ReadyToTake).
  TimePoint WaitUntil() const;
  // The next batch: live items in arrival order, up to max_batch images.
  // Cancelled or expired items are moved to `dropped` instead.
  std::vector<WorkItem> Take(TimePoint now, std::vector<WorkItem>& dropped);

  // A worker reports a batch it ran, for the rate estimate.
  void ObserveBatch(int64_t images, double seconds) { rate_.Observe(images, seconds); }
  // A worker is done with a batch of `images` it took, however it ended.
  void Finished(int64_t images) { running_images_ -= images; }

  bool empty() const { return items_.empty(); }
  int64_t queued_images() const { return queued_images_; }

 private:
  static bool Abandoned(const WorkItem& item, TimePoint now);
  void DropAbandoned(TimePoint now, std::vector<WorkItem>& dropped);

  const int max_batch_;
  const int workers_;
  const std::chrono::microseconds max_queue_delay_;
  const AdmissionOptions admission_;
  std::deque<WorkItem> items_;
  int64_t queued_images_ = 0;
  int64_t running_images_ = 0;  // taken, not yet Finished
  ThroughputEstimate rate_;
  std::minstd_rand retry_spread_;  // a fixed seed: tests can count on the spread
};

// Answers a dropped item: CANCELLED or DEADLINE_EXCEEDED.
void AnswerDropped(WorkItem& item);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_BATCH_QUEUE_H_
