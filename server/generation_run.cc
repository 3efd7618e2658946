#include "server/generation_run.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_context.h"

namespace ganserve {

std::shared_ptr<GenerationRun> GenerationRun::Start(std::shared_ptr<const Servable> servable,
                                                    PreparedGeneration work,
                                                    GenerationRunOptions options, WorkPool& pool,
                                                    GenerationSink sink) {
  std::shared_ptr<GenerationRun> run(
      new GenerationRun(std::move(servable), std::move(work), options, pool, std::move(sink)));
  if (run->work_.count == 0) {
    run->Finish(absl::OkStatus());
  } else {
    run->SubmitMore();
  }
  return run;
}

GenerationRun::GenerationRun(std::shared_ptr<const Servable> servable, PreparedGeneration work,
                             GenerationRunOptions options, WorkPool& pool, GenerationSink sink)
    : servable_(std::move(servable)),
      generator_(servable_->generator),
      work_(std::move(work)),
      options_(options),
      pool_(pool),
      sink_(std::move(sink)) {
  const BatcherOptions& batcher = servable_->batcher->options();
  if (options_.window <= 0) options_.window = (batcher.workers + 1) * batcher.max_batch;
  options_.window = std::max<int64_t>(options_.window, batcher.max_batch);
}

GenerationRun::~GenerationRun() { ReleaseModel(std::move(sink_)); }

void GenerationRun::ReleaseModel(GenerationSink sink) {
  std::shared_ptr<const Servable> servable;
  {
    std::lock_guard<std::mutex> lock(mu_);
    servable = std::move(servable_);
  }
  // The sink's captures can hold the last reference to the model too (an
  // HTTP call's do).
  const bool holds_anything = servable != nullptr || sink.on_image || sink.on_done;
  if (holds_anything && Batcher::OnWorkerThread()) {
    pool_.Post([sink = std::move(sink), servable = std::move(servable)] {});
  }
}

void GenerationRun::SubmitMore() {
  struct Chunk {
    WorkItem item;
    Admission admission;
  };
  std::vector<Chunk> chunks;
  std::shared_ptr<const Servable> servable;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    servable = servable_;
    const int64_t z = generator_->latent_size();
    const int64_t max_batch = servable->batcher->options().max_batch;
    while (next_submit_ < work_.count && next_submit_ - consumed_ < options_.window) {
      const int64_t first = next_submit_;
      const int64_t n = std::min(max_batch, work_.count - first);
      WorkItem item;
      item.latents.assign(work_.latents.begin() + first * z,
                          work_.latents.begin() + (first + n) * z);
      if (!work_.labels.empty()) {
        item.labels.assign(work_.labels.begin() + first, work_.labels.begin() + first + n);
      }
      item.count = n;
      item.deadline = options_.deadline;
      item.cancelled = cancelled_;
      item.done = [self = shared_from_this(), first](absl::StatusOr<BatchSlice> result) {
        self->OnChunk(first, std::move(result));
      };
      chunks.push_back({std::move(item), first == 0 ? Admission::kByTime : Admission::kCapOnly});
      next_submit_ += n;
    }
  }
  for (Chunk& chunk : chunks) {
    absl::Status status =
        servable->batcher->Submit(std::move(chunk.item), work_.count, chunk.admission);
    if (!status.ok()) {
      Finish(std::move(status));
      return;
    }
  }
}

void GenerationRun::OnChunk(int64_t first, absl::StatusOr<BatchSlice> result) {
  if (!result.ok()) {
    Finish(result.status());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    timings_.queue_seconds += result->queue_seconds;
    timings_.compute_seconds += result->compute_seconds;
  }
  auto slice = std::make_shared<const BatchSlice>(*std::move(result));
  auto encode = [self = shared_from_this(), slice, first](int64_t i) {
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      if (self->finished_) return;
    }
    const float* pixels = slice->image(i, self->generator_->image_size());
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<std::string> data =
        EncodeImage(*self->generator_, pixels, self->options_.encoding);
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->timings_.encode_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    self->OnEncoded(first + i, std::move(data));
  };
  if (slice->count == 1) {
    encode(0);
    return;
  }
  // This thread encodes, and so does each pool thread idle now (up to one per
  // further image), all taking the next image not yet taken. Posting every
  // image cost a wake-up each, on cores that are busy with batches when the
  // server is loaded.
  auto next = std::make_shared<std::atomic<int64_t>>(0);
  auto encode_some = [encode, next, count = slice->count] {
    for (int64_t i = next->fetch_add(1); i < count; i = next->fetch_add(1)) encode(i);
  };
  const int64_t helpers = std::min<int64_t>(slice->count - 1, std::max(0, pool_.idle()));
  for (int64_t h = 0; h < helpers; ++h) pool_.Post(encode_some);
  encode_some();
}

void GenerationRun::OnEncoded(int64_t index, absl::StatusOr<std::string> data) {
  if (!data.ok()) {
    Finish(WithPrefix(absl::StrCat("image ", index), data.status()));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    encoded_[index] = *std::move(data);
  }
  DeliverReady();
}

void GenerationRun::DeliverReady() {
  std::unique_lock<std::mutex> lock(mu_);
  if (delivering_) return;  // that thread picks up what was just added
  delivering_ = true;
  bool delivered = false;
  while (!finished_) {
    auto it = encoded_.find(next_deliver_);
    if (it == encoded_.end()) break;
    EncodedImage image;
    image.index = next_deliver_++;
    image.data = std::move(it->second);
    encoded_.erase(it);
    const int64_t z = generator_->latent_size();
    image.label = work_.labels.empty() ? -1 : work_.labels[image.index];
    if (options_.return_latents) {
      image.latent.assign(work_.latents.begin() + image.index * z,
                          work_.latents.begin() + (image.index + 1) * z);
    }
    if (options_.consume_on_delivery) ++consumed_;
    delivered = true;
    lock.unlock();
    sink_.on_image(std::move(image));
    lock.lock();
  }
  delivering_ = false;
  if (finished_) {  // Finish came while we were in the sink: on_done is ours to call
    lock.unlock();
    CallDone();
    return;
  }
  const bool all_delivered = next_deliver_ == work_.count;
  lock.unlock();
  if (all_delivered) {
    Finish(absl::OkStatus());
  } else if (delivered && options_.consume_on_delivery) {
    SubmitMore();
  }
}

void GenerationRun::Consumed(int64_t images) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    consumed_ += images;
  }
  SubmitMore();
}

CallTimings GenerationRun::timings() {
  std::lock_guard<std::mutex> lock(mu_);
  return timings_;
}

void GenerationRun::Cancel() { Finish(absl::CancelledError("the call was cancelled")); }

void GenerationRun::Finish(absl::Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    status_ = std::move(status);
    if (!status_.ok()) cancelled_->store(true);  // the queued rest costs nothing
    encoded_.clear();
    if (delivering_) return;  // the thread in the sink calls on_done when it leaves
  }
  CallDone();
}

void GenerationRun::CallDone() {
  GenerationSink sink;
  absl::Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sink = std::move(sink_);
    sink_ = {};
    status = status_;
  }
  if (sink.on_done) sink.on_done(std::move(status));
  ReleaseModel(std::move(sink));  // after the reply
}

}  // namespace ganserve
