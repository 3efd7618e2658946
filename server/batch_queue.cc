#include "server/batch_queue.h"

#include <utility>

namespace ganserve {

BatchQueue::BatchQueue(int max_batch, int workers, std::chrono::microseconds max_queue_delay,
                       AdmissionOptions admission)
    : max_batch_(max_batch),
      workers_(workers),
      max_queue_delay_(max_queue_delay),
      admission_(admission) {}

bool BatchQueue::Abandoned(const WorkItem& item, TimePoint now) {
  return (item.cancelled && item.cancelled->load()) || item.deadline <= now;
}

void BatchQueue::DropAbandoned(TimePoint now, std::vector<WorkItem>& dropped) {
  for (auto it = items_.begin(); it != items_.end();) {
    if (!Abandoned(*it, now)) {
      ++it;
      continue;
    }
    queued_images_ -= it->count;
    dropped.push_back(std::move(*it));
    it = items_.erase(it);
  }
}

absl::Status BatchQueue::Push(WorkItem item, int64_t total_count, Admission admission,
                              TimePoint now, std::vector<WorkItem>& dropped) {
  AdmissionInput input{queued_images_,
                       running_images_,
                       total_count,
                       workers_,
                       rate_.seconds_per_image(),
                       now,
                       item.deadline,
                       std::uniform_real_distribution<double>(0.0, 1.0)(retry_spread_)};
  AdmissionOptions limits = admission_;
  if (admission == Admission::kCapOnly) {
    input.count = item.count;
    input.deadline = TimePoint::max();
    limits.max_queue_time = std::chrono::milliseconds::max();
  }
  absl::Status verdict = Admit(limits, input);
  if (!verdict.ok()) {
    // Abandoned items would otherwise hold their places until a worker pops them.
    DropAbandoned(now, dropped);
    if (dropped.empty()) return verdict;
    input.queued_images = queued_images_;
    verdict = Admit(limits, input);
    if (!verdict.ok()) return verdict;
  }
  item.enqueued = now;
  queued_images_ += item.count;
  items_.push_back(std::move(item));
  return absl::OkStatus();
}

bool BatchQueue::ReadyToTake(TimePoint now) const {
  if (items_.empty()) return false;
  if (max_queue_delay_.count() == 0 || queued_images_ >= max_batch_) return true;
  return now >= WaitUntil();
}

TimePoint BatchQueue::WaitUntil() const {
  return items_.empty() ? TimePoint::max() : items_.front().enqueued + max_queue_delay_;
}

std::vector<WorkItem> BatchQueue::Take(TimePoint now, std::vector<WorkItem>& dropped) {
  std::vector<WorkItem> batch;
  int64_t images = 0;
  while (!items_.empty()) {
    WorkItem& front = items_.front();
    if (Abandoned(front, now)) {
      queued_images_ -= front.count;
      dropped.push_back(std::move(front));
      items_.pop_front();
      continue;
    }
    if (!batch.empty() && images + front.count > max_batch_) break;
    images += front.count;
    queued_images_ -= front.count;
    batch.push_back(std::move(front));
    items_.pop_front();
  }
  running_images_ += images;
  return batch;
}

void AnswerDropped(WorkItem& item) {
  if (item.cancelled && item.cancelled->load()) {
    item.done(absl::CancelledError("the call was cancelled while queued"));
  } else {
    item.done(absl::DeadlineExceededError("the deadline passed while queued"));
  }
}

}  // namespace ganserve
