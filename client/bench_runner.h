// The load generator behind `ganctl bench`: closed loop (a fixed number of
// requests in flight) or open loop (a fixed send schedule, latency measured
// from each request's scheduled time so a slow server cannot hide its
// queueing — no coordinated omission). Driven by gRPC's callback API, so a
// few threads keep thousands of requests in flight.
#ifndef GANSERVE_CLIENT_BENCH_RUNNER_H_
#define GANSERVE_CLIENT_BENCH_RUNNER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/bench_api.h"
#include "client/connection.h"
#include "client/latency_histogram.h"
#include "ganserve/v1/generator.grpc.pb.h"

namespace ganserve::client {

struct BenchOptions {
  BenchApi api = BenchApi::kNative;                // what each request calls
  std::string model;                               // empty: the server's default
  int concurrency = 1;                             // closed loop: requests in flight
  double rate = 0;                                 // > 0: open loop, requests per second
  absl::Duration duration = absl::ZeroDuration();  // measured phase length…
  int64_t requests = 0;                            // …or number of measured requests
  absl::Duration warmup = absl::ZeroDuration();    // sent first, not counted
  int connections = 1;                             // channels, each with its own connections
  int batch = 1;                                   // images per request
  std::vector<int32_t> labels;                     // cycled over the images of the run
  absl::Duration deadline = absl::Seconds(30);
  int64_t max_outstanding = 10000;                    // open loop: a cap on requests in flight
  absl::Duration late_after = absl::Milliseconds(1);  // open loop: "not on time"
  uint64_t seed = 1;                                  // request n samples seed + n…
  uint64_t seed_cycle = 0;  // …or, when > 0, seed + n % seed_cycle (repeats the cache answers)
  HttpBenchTarget http;     // api kHttp: where the GETs go (its workers are set by the run)
  absl::Duration connect_timeout = absl::Seconds(10);
};

struct ErrorSummary {
  int64_t count = 0;
  std::string first_message;
};

struct SecondStats {
  int64_t ok = 0, errors = 0, images = 0;
};

struct BenchResult {
  int64_t sent = 0, ok = 0, errors = 0;
  int64_t late = 0;                // open loop: sent more than late_after after schedule
  int64_t images = 0;              // images received in successful responses
  double elapsed_seconds = 0;      // measured phase: its start to the last answer
  LatencyHistogram latency;        // successful requests, nanoseconds
  LatencyHistogram error_latency;  // failed requests, nanoseconds
  int64_t pushbacks = 0;  // closed loop: refusals whose grpc-retry-pushback-ms the slot waited out
  std::map<int, ErrorSummary> status_counts;  // by grpc::StatusCode, OK included
  std::vector<SecondStats> per_second;        // by completion second
};

// The counts cover the measured phase only, so a rate is counts over
// measured_seconds, never over elapsed_seconds (which includes warm-up).
struct BenchProgress {
  double elapsed_seconds = 0;   // since the run began, warm-up included
  double measured_seconds = 0;  // since warm-up ended; 0 while warming up
  double warmup_seconds = 0;    // the warm-up's length
  bool warming_up = false;
  int64_t sent = 0, ok = 0, errors = 0;
  int64_t in_flight = 0;
};

class BenchRunner {
 public:
  static absl::StatusOr<std::unique_ptr<BenchRunner>> Create(const BenchOptions& options,
                                                             const Connection& connection);
  ~BenchRunner();

  // Runs to the end (all measured requests answered) and returns the
  // totals. Fails only when no channel could connect.
  absl::StatusOr<BenchResult> Run();
  // Thread-safe snapshot for a progress display.
  BenchProgress Progress() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Call;
  struct Shard {
    std::mutex mu;
    LatencyHistogram latency;
    LatencyHistogram error_latency;
    std::map<int, ErrorSummary> status_counts;
    std::vector<SecondStats> per_second;
    int64_t images = 0;
  };

  BenchRunner(const BenchOptions& options, const Connection& connection);
  // Decides whether a request due at `when` is sent, and whether it counts.
  bool TakeTicket(Clock::time_point when, bool& measured);
  void Issue(Clock::time_point start, bool measured);
  void OnDone(Call* call, const grpc::Status& status);
  void RunOpenLoop();
  // Closed loop: the slot sends its next request at `when` (a server's
  // retry pushback), from the retry thread.
  void IssueLater(Clock::time_point when);
  void RetryLoop();
  BenchResult Collect();

  BenchOptions options_;
  const Connection& connection_;
  std::vector<std::unique_ptr<BenchStub>> stubs_;
  std::vector<std::unique_ptr<Shard>> shards_;

  Clock::time_point start_, measure_start_, measure_end_;
  std::atomic<bool> started_{false};
  std::mutex ticket_mu_;
  int64_t measured_tickets_ = 0;
  bool stopped_ = false;
  std::atomic<int64_t> request_number_{0};
  std::atomic<int64_t> sent_{0}, ok_{0}, errors_{0}, late_{0};
  std::atomic<int64_t> last_done_ns_{0};  // since measure_start_

  std::mutex flight_mu_;
  std::condition_variable flight_cv_;
  int64_t in_flight_ = 0;  // calls sent, and slots waiting out a pushback

  std::mutex retry_mu_;
  std::condition_variable retry_cv_;
  std::priority_queue<Clock::time_point, std::vector<Clock::time_point>, std::greater<>> retries_;
  bool retry_stop_ = false;
  std::atomic<int64_t> pushbacks_{0};
  std::thread retry_thread_;
};

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_BENCH_RUNNER_H_
