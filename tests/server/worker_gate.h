// A Batcher before_batch hook for tests: records each batch's size and can
// hold the worker before it computes, so calls pile up in the queue on cue.
#ifndef GANSERVE_TESTS_SERVER_WORKER_GATE_H_
#define GANSERVE_TESTS_SERVER_WORKER_GATE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <numeric>
#include <vector>

namespace ganserve::testing {

class WorkerGate {
 public:
  explicit WorkerGate(bool held) : held_(held) {}

  std::function<void(int64_t)> Hook() {
    return [this](int64_t images) { BeforeBatch(images); };
  }
  void BeforeBatch(int64_t images) {
    std::unique_lock<std::mutex> lock(mu_);
    sizes_.push_back(images);
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
  }
  void Hold(bool held) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = held;
    changed_.notify_all();
  }
  void Release() { Hold(false); }
  // Until `n` batches have reached the gate.
  void WaitForBatches(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return sizes_.size() >= n; });
  }
  // Until batches of `n` images in all have reached the gate.
  void WaitForImages(int64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return ImagesLocked() >= n; });
  }
  std::vector<int64_t> sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return sizes_;
  }
  int64_t images() {
    std::lock_guard<std::mutex> lock(mu_);
    return ImagesLocked();
  }

 private:
  int64_t ImagesLocked() const { return std::accumulate(sizes_.begin(), sizes_.end(), int64_t{0}); }

  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<int64_t> sizes_;
  bool held_;
};

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_SERVER_WORKER_GATE_H_
