// A one-line live progress display for bench on a terminal: a bar when the
// run's length is known, elapsed time, requests, rate and errors. Silent
// when stderr is not a terminal, so logs and CI output stay clean.
#ifndef GANSERVE_CLIENT_PROGRESS_BAR_H_
#define GANSERVE_CLIENT_PROGRESS_BAR_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "client/bench_runner.h"

namespace ganserve::client {

// The line for one snapshot; `fraction` < 0 when the end is unknown. Time
// and rate are of the measured phase; warm-up shows as such.
std::string ProgressLine(const BenchProgress& progress, double fraction, int width);

class ProgressBar {
 public:
  // `fraction_done` maps a snapshot to 0..1; refreshes every 200 ms.
  ProgressBar(std::function<BenchProgress()> snapshot,
              std::function<double(const BenchProgress&)> fraction_done);
  ~ProgressBar();  // clears the line

  static bool StderrIsTerminal();

 private:
  void Loop();

  std::function<BenchProgress()> snapshot_;
  std::function<double(const BenchProgress&)> fraction_done_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_PROGRESS_BAR_H_
