// Dynamic batching for one model: concurrent requests are merged into one
// engine batch of up to max_batch images, waiting at most max_queue_delay
// for company. Worker threads each own an ExecutionContext.
#ifndef GANSERVE_SERVER_BATCHER_H_
#define GANSERVE_SERVER_BATCHER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/generator.h"
#include "server/metrics.h"

namespace ganserve {

struct BatcherOptions {
  int max_batch = 16;  // images per engine batch
  std::chrono::microseconds max_queue_delay{2000};
  int max_queue = 128;  // queued requests; more → RESOURCE_EXHAUSTED
  int workers = 1;
};

// Images generated and batches run by a model, across its versions.
struct ModelCounters {
  std::atomic<uint64_t> images{0};
  std::atomic<uint64_t> batches{0};
};

// One piece of work: at most max_batch images.
struct BatchInput {
  std::vector<float> latents;   // count × latent_size
  std::vector<int32_t> labels;  // count, or empty for unconditional models
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Set by the caller when its RPC is cancelled: the work is skipped.
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

class Batcher {
 public:
  struct Context {  // what the batcher reports to
    std::string model_name;
    Metrics* metrics = nullptr;  // may be null
    std::shared_ptr<ModelCounters> counters;
  };

  static absl::StatusOr<std::unique_ptr<Batcher>> Create(const BatcherOptions& options,
                                                         std::shared_ptr<const Generator> generator,
                                                         Context context);
  // Runs what is queued, then joins the workers.
  ~Batcher();

  // Queues the work; the future yields [count, H, W, C] images. Errors now:
  // RESOURCE_EXHAUSTED when the queue is full of live work (cancelled or
  // expired items are dropped first), INVALID_ARGUMENT when the input is
  // larger than max_batch.
  absl::StatusOr<std::future<absl::StatusOr<Tensor>>> Submit(BatchInput input);

  const BatcherOptions& options() const { return options_; }

 private:
  struct Item {
    BatchInput input;
    int64_t count = 0;
    std::chrono::steady_clock::time_point enqueued;
    std::promise<absl::StatusOr<Tensor>> done;
  };

  Batcher(const BatcherOptions& options, std::shared_ptr<const Generator> generator,
          Context context);
  void WorkerLoop();
  std::vector<Item> NextBatch();
  // Answers an item whose call was cancelled or whose deadline is past at
  // `now`, and says whether it did.
  static bool AnswerIfAbandoned(Item& item, std::chrono::steady_clock::time_point now);
  // Removes queued items whose call was cancelled or whose deadline passed,
  // answering their futures; returns how many. Needs mu_.
  int64_t DropAbandonedLocked();
  void RunBatch(std::vector<Item>& items, ExecutionContext& context);

  const BatcherOptions options_;
  const std::shared_ptr<const Generator> generator_;
  const Context context_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  int64_t queued_images_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_BATCHER_H_
