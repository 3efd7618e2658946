#include "server/batcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

using Clock = std::chrono::steady_clock;

absl::StatusOr<std::unique_ptr<Batcher>> Batcher::Create(const BatcherOptions& options,
                                                         std::shared_ptr<const Generator> generator,
                                                         Context context) {
  if (options.max_batch < 1 || options.max_queue < 1 || options.workers < 1 ||
      options.max_queue_delay.count() < 0) {
    return absl::InvalidArgumentError(
        "batcher: max_batch, max_queue and workers must be ≥ 1 and max_queue_delay ≥ 0");
  }
  if (generator == nullptr) return absl::InvalidArgumentError("batcher: no generator");
  return std::unique_ptr<Batcher>(new Batcher(options, std::move(generator), std::move(context)));
}

Batcher::Batcher(const BatcherOptions& options, std::shared_ptr<const Generator> generator,
                 Context context)
    : options_(options), generator_(std::move(generator)), context_(std::move(context)) {
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

Batcher::~Batcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

absl::StatusOr<std::future<absl::StatusOr<Tensor>>> Batcher::Submit(BatchInput input) {
  const int64_t z = generator_->latent_size();
  const int64_t count = static_cast<int64_t>(input.latents.size()) / z;
  if (count < 1 || count > options_.max_batch ||
      count * z != static_cast<int64_t>(input.latents.size())) {
    return absl::InvalidArgumentError(absl::StrCat("batcher: expected 1 to ", options_.max_batch,
                                                   " latents of ", z, " values, got ",
                                                   input.latents.size(), " values"));
  }
  Item item;
  item.input = std::move(input);
  item.count = count;
  item.enqueued = Clock::now();
  std::future<absl::StatusOr<Tensor>> result = item.done.get_future();
  int64_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Abandoned items would otherwise hold their slots until a worker pops them.
    if (static_cast<int>(queue_.size()) >= options_.max_queue) dropped = DropAbandonedLocked();
    if (static_cast<int>(queue_.size()) >= options_.max_queue) {
      if (context_.metrics && dropped > 0)
        context_.metrics->AddQueueDepth(context_.model_name, -dropped);
      return absl::ResourceExhaustedError(absl::StrCat("model ", context_.model_name,
                                                       ": the queue is full (", options_.max_queue,
                                                       " requests waiting); retry later"));
    }
    queue_.push_back(std::move(item));
    queued_images_ += count;
  }
  if (context_.metrics) context_.metrics->AddQueueDepth(context_.model_name, 1 - dropped);
  cv_.notify_all();
  return result;
}

bool Batcher::AnswerIfAbandoned(Item& item, Clock::time_point now) {
  if (item.input.cancelled->load()) {
    item.done.set_value(absl::CancelledError("the call was cancelled while queued"));
  } else if (item.input.deadline <= now) {
    item.done.set_value(absl::DeadlineExceededError("the deadline passed while queued"));
  } else {
    return false;
  }
  return true;
}

int64_t Batcher::DropAbandonedLocked() {
  const Clock::time_point now = Clock::now();
  int64_t dropped = 0;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (!AnswerIfAbandoned(*it, now)) {
      ++it;
      continue;
    }
    queued_images_ -= it->count;
    it = queue_.erase(it);
    ++dropped;
  }
  return dropped;
}

void Batcher::WorkerLoop() {
  std::unique_ptr<ExecutionContext> context = generator_->NewContext();
  while (true) {
    std::vector<Item> items = NextBatch();
    if (items.empty()) return;
    RunBatch(items, *context);
  }
}

std::vector<Batcher::Item> Batcher::NextBatch() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<Item> items;
  while (items.empty()) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return items;  // stopping with nothing left
    // Wait for company until the batch is full or the oldest request has waited long enough.
    const Clock::time_point flush_at = queue_.front().enqueued + options_.max_queue_delay;
    while (!stop_ && !queue_.empty() && queued_images_ < options_.max_batch &&
           Clock::now() < flush_at) {
      cv_.wait_until(lock, flush_at);
    }
    int64_t images = 0;
    while (!queue_.empty() &&
           (items.empty() || images + queue_.front().count <= options_.max_batch)) {
      images += queue_.front().count;
      queued_images_ -= queue_.front().count;
      items.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  return items;
}

void Batcher::RunBatch(std::vector<Item>& items, ExecutionContext& context) {
  const Clock::time_point start = Clock::now();
  if (context_.metrics)
    context_.metrics->AddQueueDepth(context_.model_name, -static_cast<int64_t>(items.size()));
  // Drop what nobody waits for any more, so it costs no compute.
  std::vector<Item*> live;
  for (Item& item : items) {
    if (AnswerIfAbandoned(item, start)) continue;
    live.push_back(&item);
    if (context_.metrics) {
      context_.metrics->ObserveQueueSeconds(
          context_.model_name, std::chrono::duration<double>(start - item.enqueued).count());
    }
  }
  if (live.empty()) return;
  std::vector<float> latents;
  std::vector<int32_t> labels;
  int64_t total = 0;
  for (Item* item : live) {
    latents.insert(latents.end(), item->input.latents.begin(), item->input.latents.end());
    labels.insert(labels.end(), item->input.labels.begin(), item->input.labels.end());
    total += item->count;
  }
  Tensor images;
  absl::Status status = generator_->Run(context, latents, labels, images);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (context_.metrics) {
    context_.metrics->ObserveComputeSeconds(context_.model_name, seconds);
    context_.metrics->ObserveBatchSize(context_.model_name, total);
  }
  if (status.ok() && context_.counters) {
    context_.counters->images += total;
    context_.counters->batches += 1;
  }
  const int64_t image_size = generator_->image_size();
  int64_t offset = 0;
  for (Item* item : live) {
    if (!status.ok()) {
      item->done.set_value(status);
      continue;
    }
    Tensor mine({item->count, generator_->height(), generator_->width(), generator_->channels()});
    std::copy_n(images.data.begin() + offset * image_size, item->count * image_size,
                mine.data.begin());
    offset += item->count;
    item->done.set_value(std::move(mine));
  }
}

}  // namespace ganserve
