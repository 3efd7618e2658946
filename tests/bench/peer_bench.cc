// Our side of tests/bench/compare_peers.sh: median latency of one zoo model on
// the oneDNN executor, timed like the peers (ort_bench.js, torch_bench.py):
// warm-up runs, then the median of timed runs, one JSON line per batch.
//   peer_bench MODEL [--batches 1,8,64] [--threads 2] [--runs 20] [--warmup 3] [--shed]
// --shed reports as engine "ganserve-shed": at most --threads, one under load.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "engine/onednn/onednn_executor.h"
#include "tests/bench/batch_list.h"
#include "tests/engine/generator_zoo.h"

namespace ganserve {
namespace {

struct Args {
  std::string model;
  std::vector<int64_t> batches{1, 8, 64};
  int threads = 2, runs = 20, warmup = 3;
  bool shed = false;  // OneDnnOptions::shed_threads_under_load
};

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--shed") {
      a.shed = true;
      continue;
    }
    if (k.rfind("--", 0) == 0 && i + 1 >= argc) return false;
    if (k == "--batches") {
      if (!ParseBatchList(argv[++i], a.batches)) return false;
    } else if (k == "--threads") {
      if (!absl::SimpleAtoi(argv[++i], &a.threads) || a.threads < 0) return false;
    } else if (k == "--runs") {
      if (!absl::SimpleAtoi(argv[++i], &a.runs) || a.runs <= 0) return false;
    } else if (k == "--warmup") {
      if (!absl::SimpleAtoi(argv[++i], &a.warmup) || a.warmup < 0) return false;
    } else if (a.model.empty()) {
      a.model = k;
    } else {
      return false;
    }
  }
  return !a.model.empty();
}

int Main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: peer_bench MODEL [--batches 1,8,64] [--threads 2] [--runs 20] "
                 "[--warmup 3] [--shed]\n");
    return 2;
  }
  const std::vector<ZooModel> zoo = GeneratorZoo();
  auto it =
      std::find_if(zoo.begin(), zoo.end(), [&](const ZooModel& m) { return m.name == a.model; });
  if (it == zoo.end()) {
    std::fprintf(stderr, "unknown model '%s'\n", a.model.c_str());
    return 2;
  }
  auto graph = it->make(1);
  if (!graph.ok()) {
    std::fprintf(stderr, "%s\n", std::string(graph.status().message()).c_str());
    return 1;
  }
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  auto exec =
      OneDnnExecutor::Create(shared, {.num_threads = a.threads, .shed_threads_under_load = a.shed});
  if (!exec.ok()) return 1;
  auto ctx = (*exec)->NewContext();
  std::mt19937 rng(3);
  for (int64_t batch : a.batches) {
    std::vector<Tensor> inputs{RandomTensor(WithBatch(batch, shared->input_dims(0)), rng)};
    Tensor out;
    std::vector<double> ms;
    for (int r = 0; r < a.warmup + a.runs; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const absl::Status s = (*exec)->Run(*ctx, inputs, out);
      const auto t1 = std::chrono::steady_clock::now();
      if (!s.ok()) {
        std::fprintf(stderr, "run failed: %s\n", std::string(s.message()).c_str());
        return 1;
      }
      if (r >= a.warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const size_t n = ms.size();
    const double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    std::printf(
        "{\"engine\": \"%s\", \"model\": \"%s\", \"batch\": %lld, \"threads\": %d, "
        "\"median_ms\": %.4f, \"images_per_s\": %.3f}\n",
        a.shed ? "ganserve-shed" : "ganserve", a.model.c_str(), static_cast<long long>(batch),
        a.threads, median, batch / median * 1e3);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace ganserve

int main(int argc, char** argv) { return ganserve::Main(argc, argv); }
