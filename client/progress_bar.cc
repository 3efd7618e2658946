#include "client/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ganserve::client {

std::string ProgressLine(const BenchProgress& p, double fraction, int width) {
  std::string bar;
  if (fraction >= 0) {
    const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
    bar = absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '.'), "] ");
  }
  // Nothing is counted during warm-up, so there is no rate to show yet.
  if (p.warming_up) {
    return absl::StrFormat("%swarm-up %.1fs of %.1fs, not counted", bar, p.elapsed_seconds,
                           p.warmup_seconds);
  }
  const int64_t done = p.ok + p.errors;
  const double rate = p.measured_seconds > 0 ? done / p.measured_seconds : 0;
  return absl::StrFormat("%s%6.1fs %8d req %9.1f req/s %6d err %5d in flight", bar,
                         p.measured_seconds, done, rate, p.errors, p.in_flight);
}

ProgressBar::ProgressBar(std::function<BenchProgress()> snapshot,
                         std::function<double(const BenchProgress&)> fraction_done)
    : snapshot_(std::move(snapshot)),
      fraction_done_(std::move(fraction_done)),
      thread_([this] { Loop(); }) {}

ProgressBar::~ProgressBar() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
}

bool ProgressBar::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void ProgressBar::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_; })) {
    const BenchProgress p = snapshot_();
    std::fprintf(stderr, "\r\033[K%s", ProgressLine(p, fraction_done_(p), 30).c_str());
    std::fflush(stderr);
  }
}

}  // namespace ganserve::client
