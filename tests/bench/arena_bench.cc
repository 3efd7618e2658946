// Memory and speed of one execution context across batch sizes, the way a
// batch worker sees them: per model file and max batch, the process RSS
// after running every batch size 1..max_batch in one context, and images/s
// at batch 1, 16 and 64 (or --batches; those <= max batch) and of mixed
// traffic (every size 1..max batch, shuffled, repeated), with the time
// LoadedGenerator::Prepare took and the bytes the context reports holding after it
// and after the sweep. Each (model, max batch) runs
// in a child process of its own so one's RSS does not carry into the next.
// Run: nice -n 10 ./build/tests/bench/arena_bench MODEL... [--max_batches 16,64]
//      [--batches 1,16,64] [--seconds 2] [--threads 0] [--shed]
// --shed: shed_threads_under_load, so Prepare builds plans for two thread counts.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "client/batch_list.h"
#include "engine/generator_factory.h"

namespace ganserve {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::vector<std::string> models;
  std::vector<int64_t> max_batches{16, 64};
  std::vector<int64_t> rate_batches{1, 16, 64};
  double seconds = 2.0;
  int threads = 0;
  bool shed = false;
};

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--shed") {
      a.shed = true;
      continue;
    }
    if (k.rfind("--", 0) == 0 && i + 1 >= argc) return false;
    if (k == "--max_batches") {
      if (!ParseBatchList(argv[++i], a.max_batches)) return false;
    } else if (k == "--batches") {
      if (!ParseBatchList(argv[++i], a.rate_batches)) return false;
    } else if (k == "--seconds") {
      if (!absl::SimpleAtod(argv[++i], &a.seconds) || a.seconds <= 0) return false;
    } else if (k == "--threads") {
      if (!absl::SimpleAtoi(argv[++i], &a.threads) || a.threads < 0) return false;
    } else if (k.rfind("--", 0) == 0) {
      return false;
    } else {
      a.models.push_back(k);
    }
  }
  return !a.models.empty();
}

// VmRSS of this process in bytes, from /proc/self/status.
int64_t RssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    int64_t kb = 0;
    absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")), &kb);
    return kb * 1024;
  }
  return -1;
}

struct Batch {
  std::vector<float> latents;
  std::vector<int32_t> labels;
};

Batch RandomBatch(const LoadedGenerator& g, int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  Batch b;
  b.latents.resize(n * g.latent_size());
  for (float& x : b.latents) x = normal(rng);
  if (g.conditional()) {
    for (int64_t i = 0; i < n; ++i) b.labels.push_back(static_cast<int32_t>(i % g.label_count()));
  }
  return b;
}

// Images/s from the median of timed runs (robust to a neighbour's bursts).
double ImagesPerSecond(const LoadedGenerator& g, ExecutionContext& ctx, int64_t n, double seconds) {
  std::mt19937 rng(7);
  const Batch b = RandomBatch(g, n, rng);
  Tensor out;
  for (int i = 0; i < 2; ++i) {
    if (!g.RunGraph(ctx, b.latents, b.labels, out).ok()) return -1;
  }
  std::vector<double> times;
  const Clock::time_point start = Clock::now();
  while (times.size() < 5 ||
         std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    const Clock::time_point t0 = Clock::now();
    if (!g.RunGraph(ctx, b.latents, b.labels, out).ok()) return -1;
    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return n / times[times.size() / 2];
}

// Images/s of mixed traffic: every size 1..max_batch in a shuffled order,
// over and over, so each call runs a different plan from the last.
double MixedImagesPerSecond(const LoadedGenerator& g, ExecutionContext& ctx, int64_t max_batch,
                            double seconds) {
  std::mt19937 rng(11);
  std::vector<Batch> batches;
  for (int64_t n = 1; n <= max_batch; ++n) batches.push_back(RandomBatch(g, n, rng));
  std::shuffle(batches.begin(), batches.end(), rng);
  Tensor out;
  int64_t images = 0;
  const Clock::time_point start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const Batch& b : batches) {
      if (!g.RunGraph(ctx, b.latents, b.labels, out).ok()) return -1;
      images += static_cast<int64_t>(b.latents.size()) / g.latent_size();
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return images / elapsed;
}

int Measure(const Args& a, const std::string& model, int64_t max_batch) {
  const std::filesystem::path options = std::filesystem::path(model).parent_path() / "model.json";
  GeneratorLoadOptions load;
  load.onednn_threads = a.threads;
  load.shed_threads_under_load = a.shed;
  auto g = LoadGenerator(model, options.string(), load);
  if (!g.ok()) {
    std::fprintf(stderr, "%s: %s\n", model.c_str(), std::string(g.status().message()).c_str());
    return 1;
  }
  auto ctx = (*g)->NewContext();
  const int64_t rss_loaded = RssBytes();
  const Clock::time_point t0 = Clock::now();
  const absl::Status prepared = (*g)->Prepare(*ctx, max_batch);
  const double prepare_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!prepared.ok()) {
    std::fprintf(stderr, "%s: %s\n", model.c_str(), std::string(prepared.message()).c_str());
    return 1;
  }
  const int64_t bytes_prepared = ctx->BytesHeld();
  std::mt19937 rng(1);
  Tensor out;
  for (int64_t n = 1; n <= max_batch; ++n) {
    const Batch b = RandomBatch(**g, n, rng);
    const absl::Status s = (*g)->RunGraph(*ctx, b.latents, b.labels, out);
    if (!s.ok()) {
      std::fprintf(stderr, "%s batch %lld: %s\n", model.c_str(), static_cast<long long>(n),
                   std::string(s.message()).c_str());
      return 1;
    }
  }
  const int64_t rss_swept = RssBytes();
  const int64_t bytes_swept = ctx->BytesHeld();
  std::string rates;
  for (int64_t n : a.rate_batches) {
    if (n > max_batch) continue;
    rates += " img/s@" + std::to_string(n) + "=" +
             std::to_string(static_cast<int64_t>(ImagesPerSecond(**g, *ctx, n, a.seconds)));
  }
  rates +=
      " img/s@mixed=" +
      std::to_string(static_cast<int64_t>(MixedImagesPerSecond(**g, *ctx, max_batch, a.seconds)));
  std::printf(
      "%s max_batch=%lld prepare_ms=%.0f held_MB=%.2f held_after_sweep_MB=%.2f rss_loaded_MB=%.1f "
      "rss_after_sweep_MB=%.1f%s\n",
      std::filesystem::path(model).filename().c_str(), static_cast<long long>(max_batch),
      prepare_ms, bytes_prepared / 1e6, bytes_swept / 1e6, rss_loaded / 1e6, rss_swept / 1e6,
      rates.c_str());
  std::fflush(stdout);
  return 0;
}

int Main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, a)) {
    std::fprintf(
        stderr,
        "usage: arena_bench MODEL... [--max_batches 16,64] [--batches 1,16,64] [--seconds 2] "
        "[--threads 0] [--shed]\n");
    return 2;
  }
  int failures = 0;
  for (const std::string& model : a.models) {
    for (int64_t max_batch : a.max_batches) {
      std::fflush(stdout);
      const pid_t child = fork();
      if (child == 0) std::_Exit(Measure(a, model, max_batch));
      int status = 0;
      if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0) {
        ++failures;
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ganserve

int main(int argc, char** argv) { return ganserve::Main(argc, argv); }
