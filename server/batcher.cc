#include "server/batcher.h"

#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <future>

#include "absl/strings/str_cat.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

thread_local bool on_worker_thread = false;

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

bool Batcher::OnWorkerThread() { return on_worker_thread; }

absl::StatusOr<std::unique_ptr<Batcher>> Batcher::Create(
    const BatcherOptions& options, std::shared_ptr<const LoadedGenerator> generator,
    Context context) {
  if (options.max_batch < 1 || options.workers < 1 || options.max_queue_delay.count() < 0 ||
      options.idle_spin.count() < 0 || options.admission.max_queued_images < options.max_batch ||
      options.admission.max_queue_time.count() < 0) {
    return absl::InvalidArgumentError(
        "batcher: max_batch and workers must be ≥ 1, max_queued_images ≥ max_batch, and "
        "max_queue_delay, idle_spin and max_queue_time ≥ 0");
  }
  if (generator == nullptr) return absl::InvalidArgumentError("batcher: no generator");
  std::unique_ptr<Batcher> batcher(new Batcher(options, std::move(generator), std::move(context)));
  GS_RETURN_IF_ERROR(batcher->StartWorkers());
  // Building the plans freed much of what it allocated (in the workers' own
  // malloc arenas, which glibc does not shrink by itself): hand it back.
  malloc_trim(0);
  return batcher;
}

Batcher::Batcher(const BatcherOptions& options, std::shared_ptr<const LoadedGenerator> generator,
                 Context context)
    : options_(options),
      generator_(std::move(generator)),
      context_(std::move(context)),
      queue_(options.max_batch, options.workers, options.max_queue_delay, options.admission) {}

absl::Status Batcher::StartWorkers() {
  // Each worker builds its context and plans on its own thread (oneDNN
  // primitives run on the thread that created them) and runs a full batch
  // twice: the first warms caches, the second is timed for the rate estimate.
  std::vector<std::future<absl::Status>> ready;
  for (int i = 0; i < options_.workers; ++i) {
    auto promise = std::make_shared<std::promise<absl::Status>>();
    ready.push_back(promise->get_future());
    workers_.emplace_back([this, promise] {
      on_worker_thread = true;
      pthread_setname_np(pthread_self(), "gs-batch");
      std::unique_ptr<ExecutionContext> context = generator_->NewContext();
      // Plans for every batch size up to max_batch, so no call waits for a compile.
      absl::Status prepared = generator_->Prepare(*context, options_.max_batch);
      if (!prepared.ok()) {
        promise->set_value(prepared);
        return;
      }
      const int64_t n = options_.max_batch;
      std::vector<float> latents(n * generator_->latent_size(), 0.0f);
      std::vector<int32_t> labels(generator_->conditional() ? n : 0, 0);
      Tensor images;
      absl::Status status = generator_->Run(*context, latents, labels, images);
      const TimePoint start = context_.clock->Now();
      if (status.ok()) status = generator_->Run(*context, latents, labels, images);
      if (status.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.ObserveBatch(n,
                            std::chrono::duration<double>(context_.clock->Now() - start).count());
      }
      promise->set_value(status);
      if (status.ok()) WorkerLoop(std::move(context));
    });
  }
  absl::Status status;
  for (auto& future : ready) status.Update(future.get());
  return status;  // on error the destructor stops the workers that did start
}

Batcher::~Batcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  pushes_.fetch_add(1);
  cv_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

absl::Status Batcher::Submit(WorkItem item, int64_t total_count, Admission admission) {
  const int64_t z = generator_->latent_size();
  if (item.count < 1 || item.count > options_.max_batch ||
      item.count * z != static_cast<int64_t>(item.latents.size()) || !item.done) {
    return absl::InvalidArgumentError(absl::StrCat("batcher: expected 1 to ", options_.max_batch,
                                                   " latents of ", z, " values, got ",
                                                   item.latents.size(), " values"));
  }
  std::vector<WorkItem> dropped;
  absl::Status status;
  int64_t queued = 0;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return absl::UnavailableError("the model is being unloaded");
    const bool was_empty = queue_.empty();
    const int64_t call_images = std::max(total_count, item.count);
    status = queue_.Push(std::move(item), call_images, admission, context_.clock->Now(), dropped);
    queued = queue_.queued_images();
    if (status.ok()) {
      pushes_.fetch_add(1, std::memory_order_release);
      // The spinning worker takes a lone item; company for it wakes another.
      wake = !(was_empty && worker_spinning_);
    }
  }
  if (context_.metrics) context_.metrics->SetQueuedImages(context_.model_name, queued);
  if (wake) cv_.notify_one();
  AnswerAllDropped(dropped);
  return WithPrefix(absl::StrCat("model ", context_.model_name), status);
}

void Batcher::AnswerAllDropped(std::vector<WorkItem>& dropped) {
  for (WorkItem& item : dropped) AnswerDropped(item);
  dropped.clear();
}

void Batcher::WorkerLoop(std::unique_ptr<ExecutionContext> context) {
  std::vector<WorkItem> dropped;
  while (true) {
    std::vector<WorkItem> items = NextBatch(dropped);
    AnswerAllDropped(dropped);
    if (items.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_ && queue_.empty()) return;
      continue;
    }
    RunBatch(items, *context);
  }
}

std::vector<WorkItem> Batcher::NextBatch(std::vector<WorkItem>& dropped) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!stop_ && queue_.empty()) SpinForWork(lock);
  cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
  // Opt-in wait for company (max_queue_delay > 0); never while stopping.
  // Relative waits, so the injected clock (not the cv's own) says when.
  while (!stop_ && !queue_.empty() && !queue_.ReadyToTake(context_.clock->Now())) {
    cv_.wait_for(lock, queue_.WaitUntil() - context_.clock->Now());
  }
  std::vector<WorkItem> items = queue_.Take(context_.clock->Now(), dropped);
  const int64_t queued = queue_.queued_images();
  lock.unlock();
  if (context_.metrics) context_.metrics->SetQueuedImages(context_.model_name, queued);
  return items;
}

void Batcher::SpinForWork(std::unique_lock<std::mutex>& lock) {
  if (options_.idle_spin.count() == 0 || worker_spinning_) return;
  worker_spinning_ = true;
  const uint64_t seen = pushes_.load(std::memory_order_acquire);
  lock.unlock();
  // Real time, not the injected clock: this bounds CPU spent, not a policy.
  const auto until = std::chrono::steady_clock::now() + options_.idle_spin;
  while (pushes_.load(std::memory_order_acquire) == seen &&
         std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 32; ++i) CpuRelax();
  }
  lock.lock();
  worker_spinning_ = false;
}

void Batcher::RunBatch(std::vector<WorkItem>& items, ExecutionContext& context) {
  const TimePoint start = context_.clock->Now();
  int64_t total = 0;
  for (const WorkItem& item : items) total += item.count;
  std::vector<float> latents;
  std::vector<int32_t> labels;
  latents.reserve(total * generator_->latent_size());
  std::vector<double> queued_seconds;
  queued_seconds.reserve(items.size());
  for (const WorkItem& item : items) {
    latents.insert(latents.end(), item.latents.begin(), item.latents.end());
    labels.insert(labels.end(), item.labels.begin(), item.labels.end());
    queued_seconds.push_back(std::chrono::duration<double>(start - item.enqueued).count());
    if (context_.metrics) {
      context_.metrics->ObserveQueueSeconds(context_.model_name, queued_seconds.back());
    }
  }
  if (options_.before_batch) options_.before_batch(total);
  auto images = std::make_shared<Tensor>();
  absl::Status status = generator_->Run(context, latents, labels, *images);
  const double seconds = std::chrono::duration<double>(context_.clock->Now() - start).count();
  if (context_.metrics) {
    context_.metrics->ObserveComputeSeconds(context_.model_name, seconds);
    context_.metrics->ObserveBatchSize(context_.model_name, total);
  }
  if (status.ok() && context_.counters) {
    context_.counters->images += total;
    context_.counters->batches += 1;
  }
  int64_t offset = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    WorkItem& item = items[i];
    if (status.ok()) {
      item.done(BatchSlice{images, offset, item.count, queued_seconds[i], seconds});
    } else {
      item.done(status);
    }
    offset += item.count;
  }
  // The queue waits for the worker's whole turn: the callbacks encode and
  // deliver, and a rate of compute alone let admitted calls wait far longer
  // than max_queue_time under overload.
  const double turn = std::chrono::duration<double>(context_.clock->Now() - start).count();
  std::lock_guard<std::mutex> lock(mu_);
  queue_.Finished(total);
  if (status.ok()) queue_.ObserveBatch(total, turn);
}

}  // namespace ganserve
