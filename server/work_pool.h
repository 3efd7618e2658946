// A fixed set of threads running short tasks (image encoding), so a batch's
// PNGs are encoded on whichever cores are free instead of one after another
// on the thread that happened to receive the batch.
#ifndef GANSERVE_SERVER_WORK_POOL_H_
#define GANSERVE_SERVER_WORK_POOL_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ganserve {

class WorkPool {
 public:
  explicit WorkPool(int threads);
  // Runs what is queued, then joins.
  ~WorkPool();

  void Post(std::function<void()> task);
  int threads() const { return static_cast<int>(threads_.size()); }
  // Threads waiting for a task right now (a hint: it may change at once).
  int idle() const { return idle_.load(std::memory_order_relaxed); }

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::atomic<int> idle_{0};  // minus tasks posted but not yet picked up
  std::vector<std::thread> threads_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_WORK_POOL_H_
