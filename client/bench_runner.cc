#include "client/bench_runner.h"

#include <functional>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"

namespace ganserve::client {
namespace {

constexpr int kShards = 8;

std::chrono::system_clock::time_point ToSystemDeadline(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(d);
}

}  // namespace

struct BenchRunner::Call {
  grpc::ClientContext context;
  int64_t images = 0;  // in the answer
  Clock::time_point start;
  bool measured = false;
};

absl::StatusOr<std::unique_ptr<BenchRunner>> BenchRunner::Create(const BenchOptions& options,
                                                                 const Connection& connection) {
  const bool open_loop = options.rate > 0;
  if (!open_loop && options.concurrency < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--concurrency must be >= 1, got ", options.concurrency));
  }
  if (options.rate < 0)
    return absl::InvalidArgumentError(absl::StrCat("--rate must be > 0, got ", options.rate));
  if ((options.duration > absl::ZeroDuration()) == (options.requests > 0)) {
    return absl::InvalidArgumentError("give exactly one of --duration (> 0) and --requests (> 0)");
  }
  if (options.requests < 0) return absl::InvalidArgumentError("--requests must be > 0");
  if (options.warmup < absl::ZeroDuration())
    return absl::InvalidArgumentError("--warmup must be >= 0");
  if (options.connections < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--connections must be >= 1, got ", options.connections));
  }
  if (options.batch < 1)
    return absl::InvalidArgumentError(absl::StrCat("--batch must be >= 1, got ", options.batch));
  if (options.deadline <= absl::ZeroDuration())
    return absl::InvalidArgumentError("--deadline must be > 0");
  if (options.max_outstanding < 1)
    return absl::InvalidArgumentError("--max-outstanding must be >= 1");
  return std::unique_ptr<BenchRunner>(new BenchRunner(options, connection));
}

BenchRunner::BenchRunner(const BenchOptions& options, const Connection& connection)
    : options_(options), connection_(connection) {
  for (int i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

BenchRunner::~BenchRunner() {
  {
    // Callbacks refer to this object: never leave with calls in flight.
    std::unique_lock lock(flight_mu_);
    flight_cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  {
    std::lock_guard lock(retry_mu_);
    retry_stop_ = true;
  }
  retry_cv_.notify_all();
  if (retry_thread_.joinable()) retry_thread_.join();
}

namespace {

// The server's grpc-retry-pushback-ms trailer on a refusal, if any.
std::optional<std::chrono::milliseconds> Pushback(const grpc::ClientContext& context,
                                                  const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) return std::nullopt;
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("grpc-retry-pushback-ms");
  int64_t ms = 0;
  if (it == trailers.end() ||
      !absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &ms) || ms < 0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace

void BenchRunner::IssueLater(Clock::time_point when) {
  {
    std::lock_guard lock(flight_mu_);
    ++in_flight_;  // the waiting slot keeps Run (and the destructor) waiting
  }
  {
    std::lock_guard lock(retry_mu_);
    retries_.push(when);
  }
  retry_cv_.notify_all();
}

void BenchRunner::RetryLoop() {
  std::unique_lock lock(retry_mu_);
  while (true) {
    retry_cv_.wait(lock, [&] { return retry_stop_ || !retries_.empty(); });
    if (retries_.empty()) return;
    if (Clock::now() < retries_.top()) {
      retry_cv_.wait_until(lock, retries_.top());
      continue;
    }
    retries_.pop();
    lock.unlock();
    bool measured = false;
    const Clock::time_point now = Clock::now();
    if (TakeTicket(now, measured)) Issue(now, measured);
    {
      std::lock_guard flight(flight_mu_);
      if (--in_flight_ == 0) flight_cv_.notify_all();
    }
    lock.lock();
  }
}

bool BenchRunner::TakeTicket(Clock::time_point when, bool& measured) {
  std::lock_guard lock(ticket_mu_);
  if (stopped_) return false;
  if (when < measure_start_) {
    measured = false;
    return true;
  }
  measured = true;
  if (options_.requests > 0) {
    if (measured_tickets_ >= options_.requests) return stopped_ = true, false;
  } else if (when >= measure_end_) {
    return stopped_ = true, false;
  }
  ++measured_tickets_;
  return true;
}

void BenchRunner::Issue(Clock::time_point start, bool measured) {
  const int64_t n = request_number_.fetch_add(1);
  auto* call = new Call();
  call->start = start;
  call->measured = measured;
  call->context.set_deadline(ToSystemDeadline(options_.deadline));
  connection_.Prepare(call->context);
  BenchRequestSpec spec;
  spec.model = options_.model;
  const uint64_t k = static_cast<uint64_t>(n);
  spec.seed = options_.seed + (options_.seed_cycle > 0 ? k % options_.seed_cycle : k);
  spec.batch = options_.batch;
  for (int i = 0; i < options_.batch && !options_.labels.empty(); ++i) {
    spec.labels.push_back(options_.labels[(n * options_.batch + i) % options_.labels.size()]);
  }
  {
    std::lock_guard lock(flight_mu_);
    ++in_flight_;
  }
  if (measured) sent_.fetch_add(1);
  stubs_[n % stubs_.size()]->Send(call->context, spec,
                                  [this, call](grpc::Status status, int64_t images) {
                                    call->images = images;
                                    OnDone(call, status);
                                  });
}

void BenchRunner::OnDone(Call* call, const grpc::Status& status) {
  const Clock::time_point now = Clock::now();
  if (call->measured) {
    const auto since_start = now - measure_start_;
    const int64_t since_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_start).count();
    int64_t previous = last_done_ns_.load();
    while (since_ns > previous && !last_done_ns_.compare_exchange_weak(previous, since_ns)) {
    }
    const size_t second = static_cast<size_t>(std::max<int64_t>(since_ns, 0) / 1000000000);
    Shard& shard = *shards_[std::hash<std::thread::id>()(std::this_thread::get_id()) % kShards];
    std::lock_guard lock(shard.mu);
    if (shard.per_second.size() <= second) shard.per_second.resize(second + 1);
    ErrorSummary& summary = shard.status_counts[status.error_code()];
    if (summary.count++ == 0 && !status.ok()) summary.first_message = status.error_message();
    if (status.ok()) {
      shard.latency.Record(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - call->start).count());
      shard.images += call->images;
      ++shard.per_second[second].ok;
      shard.per_second[second].images += call->images;
      ok_.fetch_add(1);
    } else {
      shard.error_latency.Record(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - call->start).count());
      ++shard.per_second[second].errors;
      errors_.fetch_add(1);
    }
  }
  const std::optional<std::chrono::milliseconds> pushback = Pushback(call->context, status);
  delete call;
  if (options_.rate <= 0 && pushback) {  // closed loop, told to wait: as a retrying client would
    pushbacks_.fetch_add(1);
    IssueLater(Clock::now() + *pushback);
  } else if (options_.rate <= 0) {  // closed loop: this slot sends its next request
    const Clock::time_point next = Clock::now();
    bool measured = false;
    if (TakeTicket(next, measured)) Issue(next, measured);
  }
  std::lock_guard lock(flight_mu_);
  if (--in_flight_ == 0 || in_flight_ < options_.max_outstanding) flight_cv_.notify_all();
}

void BenchRunner::RunOpenLoop() {
  const auto period = std::chrono::duration<double>(1.0 / options_.rate);
  for (int64_t k = 0;; ++k) {
    const auto scheduled = start_ + std::chrono::duration_cast<Clock::duration>(period * k);
    std::this_thread::sleep_until(scheduled);
    bool measured = false;
    if (!TakeTicket(scheduled, measured)) return;
    {
      std::unique_lock lock(flight_mu_);
      flight_cv_.wait(lock, [&] { return in_flight_ < options_.max_outstanding; });
    }
    if (measured && Clock::now() - scheduled > absl::ToChronoNanoseconds(options_.late_after)) {
      late_.fetch_add(1);
    }
    Issue(scheduled, measured);
  }
}

absl::StatusOr<BenchResult> BenchRunner::Run() {
  if (options_.api == BenchApi::kHttp) {
    HttpBenchTarget http = options_.http;
    http.authorization = connection_.authorization();
    // One blocking connection per request that may be in flight.
    http.workers = options_.rate > 0
                       ? static_cast<int>(std::min<int64_t>(options_.max_outstanding, 512))
                       : options_.concurrency;
    http.timeout_s =
        static_cast<int>(std::max<int64_t>(1, absl::ToInt64Seconds(options_.deadline)));
    stubs_.push_back(CreateHttpBenchStub(http));
  }
  for (int i = 0; i < options_.connections && options_.api != BenchApi::kHttp; ++i) {
    auto channel = connection_.NewChannel(i);
    if (!channel->WaitForConnected(ToSystemDeadline(options_.connect_timeout))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to '", connection_.target().uri,
                                                 "' within ",
                                                 absl::FormatDuration(options_.connect_timeout)));
    }
    stubs_.push_back(BenchStub::Create(options_.api, channel));
  }
  start_ = Clock::now();
  measure_start_ = start_ + absl::ToChronoNanoseconds(options_.warmup);
  measure_end_ = measure_start_ + absl::ToChronoNanoseconds(options_.duration);
  started_.store(true, std::memory_order_release);
  retry_thread_ = std::thread([this] { RetryLoop(); });
  if (options_.rate > 0) {
    RunOpenLoop();
  } else {
    for (int i = 0; i < options_.concurrency; ++i) {
      bool measured = false;
      const Clock::time_point now = Clock::now();
      if (TakeTicket(now, measured)) Issue(now, measured);
    }
  }
  {
    std::unique_lock lock(flight_mu_);
    flight_cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  return Collect();
}

BenchResult BenchRunner::Collect() {
  BenchResult result;
  result.sent = sent_.load();
  result.late = late_.load();
  result.pushbacks = pushbacks_.load();
  result.elapsed_seconds = last_done_ns_.load() / 1e9;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    result.latency.Merge(shard->latency).IgnoreError();  // same resolution by construction
    result.error_latency.Merge(shard->error_latency).IgnoreError();
    result.images += shard->images;
    for (const auto& [code, summary] : shard->status_counts) {
      ErrorSummary& total = result.status_counts[code];
      if (total.count == 0) total.first_message = summary.first_message;
      total.count += summary.count;
    }
    if (result.per_second.size() < shard->per_second.size())
      result.per_second.resize(shard->per_second.size());
    for (size_t s = 0; s < shard->per_second.size(); ++s) {
      result.per_second[s].ok += shard->per_second[s].ok;
      result.per_second[s].errors += shard->per_second[s].errors;
      result.per_second[s].images += shard->per_second[s].images;
    }
  }
  result.ok = result.status_counts.count(0) ? result.status_counts[0].count : 0;
  for (const auto& [code, summary] : result.status_counts) {
    if (code != 0) result.errors += summary.count;
  }
  return result;
}

BenchProgress BenchRunner::Progress() const {
  BenchProgress progress;
  if (!started_.load(std::memory_order_acquire)) return progress;
  const auto now = Clock::now();
  progress.elapsed_seconds = std::chrono::duration<double>(now - start_).count();
  progress.warmup_seconds = absl::ToDoubleSeconds(options_.warmup);
  progress.warming_up = now < measure_start_;
  progress.measured_seconds =
      progress.warming_up ? 0 : std::chrono::duration<double>(now - measure_start_).count();
  progress.sent = sent_.load();
  progress.ok = ok_.load();
  progress.errors = errors_.load();
  progress.in_flight = progress.sent - progress.ok - progress.errors;
  return progress;
}

}  // namespace ganserve::client
