// Our side of tests/bench/compare_peers.sh: median latency of one zoo model
// (or a model file, through ganserve's loader) on the oneDNN executor, timed like the peers
// (ort_bench.js, torch_bench.py): warm-up runs, then the median of timed runs, one JSON line per
// batch. median_cpu_ms is the process's CPU time per run: at --threads 1 it
// is the work itself, steadier than the wall time when other processes load the cores.
//   peer_bench MODEL [--batches 1,8,64] [--threads 2] [--runs 20] [--warmup 3] [--shed]
//              [--precision f32|bf16]
// --shed reports as engine "ganserve-shed": at most --threads, one under load;
// --precision bf16 as "ganserve-bf16".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "client/batch_list.h"
#include "engine/generator_factory.h"
#include "engine/latent_sampler.h"
#include "tests/testing/generator_zoo.h"

namespace ganserve {
namespace {

struct Args {
  std::string model;
  std::vector<int64_t> batches{1, 8, 64};
  int threads = 2, runs = 20, warmup = 3;
  bool shed = false;  // OneDnnOptions::shed_threads_under_load
  bool bf16 = false;  // OneDnnOptions::bf16
};

// CPU time of every thread of this process: at one thread, the run's own work
// whatever share of the cores other processes take.
double ProcessCpuMs() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

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
    } else if (k == "--precision") {
      const std::string p = argv[++i];
      if (p != "f32" && p != "bf16") return false;
      a.bf16 = p == "bf16";
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
                 "[--warmup 3] [--shed] [--precision f32|bf16]\n");
    return 2;
  }
  const OneDnnOptions options{
      .num_threads = a.threads, .shed_threads_under_load = a.shed, .bf16 = a.bf16};
  // A zoo name, or a model file (ganserve's loader and model.json).
  absl::StatusOr<std::unique_ptr<LoadedGenerator>> generator = absl::NotFoundError(a.model);
  if (std::filesystem::is_regular_file(a.model)) {
    GeneratorLoadOptions load;
    load.onednn_threads = a.threads;
    load.shed_threads_under_load = a.shed;
    load.precision = a.bf16 ? Precision::kBf16 : Precision::kF32;
    generator = LoadGenerator(
        a.model, (std::filesystem::path(a.model).parent_path() / "model.json").string(), load);
  } else {
    const std::vector<ZooModel> zoo = GeneratorZoo();
    auto it =
        std::find_if(zoo.begin(), zoo.end(), [&](const ZooModel& m) { return m.name == a.model; });
    if (it == zoo.end()) {
      std::fprintf(stderr, "'%s' is neither a zoo model nor a file\n", a.model.c_str());
      return 2;
    }
    absl::StatusOr<Graph> graph = it->make(1);
    if (graph.ok()) {
      LoadedModel model;
      model.graph = std::make_shared<const Graph>(*std::move(graph));
      ModelOptions range;  // the tutorial models end linear
      range.output_range = {-1.0f, 1.0f};
      generator = BuildGenerator(std::move(model), std::move(range), ExecutorKind::kOneDnn, options,
                                 a.bf16 ? Precision::kBf16 : Precision::kF32);
    } else {
      generator = graph.status();
    }
  }
  if (!generator.ok()) {
    std::fprintf(stderr, "%s\n", std::string(generator.status().message()).c_str());
    return 1;
  }
  const LoadedGenerator& g = **generator;
  auto ctx = g.NewContext();
  for (int64_t batch : a.batches) {
    const std::vector<float> latents = SampleLatents({.seed = 3}, batch, g.latent_size());
    std::vector<int32_t> labels;
    for (int64_t i = 0; g.conditional() && i < batch; ++i) labels.push_back(i % g.label_count());
    Tensor out;
    std::vector<double> ms, cpu_ms;
    for (int r = 0; r < a.warmup + a.runs; ++r) {
      const double c0 = ProcessCpuMs();
      const auto t0 = std::chrono::steady_clock::now();
      const absl::Status s = g.RunGraph(*ctx, latents, labels, out);
      const auto t1 = std::chrono::steady_clock::now();
      if (!s.ok()) {
        std::fprintf(stderr, "run failed: %s\n", std::string(s.message()).c_str());
        return 1;
      }
      if (r >= a.warmup) {
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        cpu_ms.push_back(ProcessCpuMs() - c0);
      }
    }
    const double median = Median(ms);
    std::printf(
        "{\"engine\": \"%s\", \"model\": \"%s\", \"batch\": %lld, \"threads\": %d, "
        "\"median_ms\": %.4f, \"images_per_s\": %.3f, \"median_cpu_ms\": %.4f}\n",
        a.shed   ? "ganserve-shed"
        : a.bf16 ? "ganserve-bf16"
                 : "ganserve",
        a.model.c_str(), static_cast<long long>(batch), a.threads, median, batch / median * 1e3,
        Median(cpu_ms));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace ganserve

int main(int argc, char** argv) { return ganserve::Main(argc, argv); }
