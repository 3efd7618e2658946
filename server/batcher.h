// Dynamic batching for one model: worker threads, each owning an
// ExecutionContext, run batches formed by a BatchQueue (batch_queue.h says
// the policy) and answer each item by its callback. Nothing blocks a caller:
// Submit either queues the item or refuses it at once.
#ifndef GANSERVE_SERVER_BATCHER_H_
#define GANSERVE_SERVER_BATCHER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/loaded_generator.h"
#include "server/batch_queue.h"
#include "server/clock.h"
#include "server/metrics.h"

namespace ganserve {

struct BatcherOptions {
  int max_batch = 16;  // images per engine batch
  // How long a free worker may wait for a fuller batch; 0: never waits.
  std::chrono::microseconds max_queue_delay{0};
  // How long a worker that found the queue empty keeps polling it before it
  // sleeps (one worker at a time); 0: it sleeps at once. A sleeping worker
  // costs the next call a wake-up, and its batch a core woken from idle.
  std::chrono::microseconds idle_spin{0};
  AdmissionOptions admission;
  int workers = 1;
  // Tests only: called on the worker before each batch (not warm-up) runs,
  // with its size, e.g. to hold the worker while calls pile up.
  std::function<void(int64_t images)> before_batch;
};

// Images generated and batches run by a model, across its versions.
struct ModelCounters {
  std::atomic<uint64_t> images{0};
  std::atomic<uint64_t> batches{0};
};

class Batcher {
 public:
  struct Context {  // what the batcher reports to
    std::string model_name;
    Metrics* metrics = nullptr;  // may be null
    std::shared_ptr<ModelCounters> counters;
    const Clock* clock = &Clock::Steady();
  };

  // Starts the workers and returns once each has built its plans and run a
  // warm-up batch (which seeds the rate estimate), so serving never waits
  // for a compile.
  static absl::StatusOr<std::unique_ptr<Batcher>> Create(
      const BatcherOptions& options, std::shared_ptr<const LoadedGenerator> generator,
      Context context);
  // Runs what is queued, then joins the workers.
  ~Batcher();

  // Queues the work (item.count ≤ max_batch, item.done set); item.done is
  // later called on a worker thread. A refusal is returned instead:
  // RESOURCE_EXHAUSTED (admission.h) or INVALID_ARGUMENT for a bad size.
  absl::Status Submit(WorkItem item, int64_t total_count = 0,
                      Admission admission = Admission::kByTime);

  const BatcherOptions& options() const { return options_; }
  // Whether the caller runs on some batcher's worker thread (which must not
  // destroy a Batcher: that joins the workers).
  static bool OnWorkerThread();

 private:
  Batcher(const BatcherOptions& options, std::shared_ptr<const LoadedGenerator> generator,
          Context context);
  absl::Status StartWorkers();
  void WorkerLoop(std::unique_ptr<ExecutionContext> context);
  // Blocks until a batch is ready or the batcher stops (empty result).
  std::vector<WorkItem> NextBatch(std::vector<WorkItem>& dropped);
  // With the lock held and the queue empty: polls for work for up to
  // idle_spin, unless another worker already does; returns with the lock held.
  void SpinForWork(std::unique_lock<std::mutex>& lock);
  void RunBatch(std::vector<WorkItem>& items, ExecutionContext& context);
  void AnswerAllDropped(std::vector<WorkItem>& dropped);

  const BatcherOptions options_;
  const std::shared_ptr<const LoadedGenerator> generator_;
  const Context context_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  BatchQueue queue_;
  bool stop_ = false;
  bool worker_spinning_ = false;     // at most one spins; Submit need not wake the others
  std::atomic<uint64_t> pushes_{0};  // what a spinning worker polls (also bumped on stop)
  std::vector<std::thread> workers_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_BATCHER_H_
