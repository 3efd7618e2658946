// A fixed set of threads running short tasks (image encoding), so a batch's
// PNGs are encoded on whichever cores are free instead of one after another
// on the thread that happened to receive the batch.
#ifndef GANSERVE_SERVER_WORK_POOL_H_
#define GANSERVE_SERVER_WORK_POOL_H_

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

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_WORK_POOL_H_
