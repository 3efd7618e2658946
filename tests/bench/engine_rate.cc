// Engine-only images/s of a model file at given batch sizes, with no gRPC:
// the ceiling serve_bench.sh compares the server against. --workers W runs W
// engines in parallel, each on its own thread and ExecutionContext with
// cores / W oneDNN threads (as ganserve's --workers W --onednn_threads 0), and
// reports their total; ganserve's default is W = cores, one thread each. Each
// run sheds to one thread while other load fills the cores, as ganserve does.
// Run: build/tests/bench/engine_rate MODEL_FILE [--batches 1,16,64] [--seconds 3] [--workers 1]
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "client/batch_list.h"
#include "engine/generator_factory.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: engine_rate MODEL_FILE [--batches 1,16,64] [--seconds S] [--workers W]\n");
  return 2;
}

struct Inputs {
  std::vector<float> latents;
  std::vector<int32_t> labels;
};

Inputs MakeInputs(const ganserve::LoadedGenerator& g, int64_t batch) {
  Inputs in;
  in.latents.resize(batch * g.latent_size());
  for (size_t i = 0; i < in.latents.size(); ++i)
    in.latents[i] = 0.01f * static_cast<float>(i % 97) - 0.5f;
  in.labels.resize(g.conditional() ? batch : 0);
  for (size_t i = 0; i < in.labels.size(); ++i)
    in.labels[i] = static_cast<int32_t>(i % g.label_count());
  return in;
}

// One worker: its own context (created on its thread, where oneDNN wants its
// primitives), warmed up before the shared start, then runs until the time is up.
void Worker(const ganserve::LoadedGenerator& g, const Inputs& in, double seconds,
            std::barrier<>& start_line, std::atomic<bool>& failed, int64_t& runs, double& elapsed) {
  auto context = g.NewContext();
  ganserve::Tensor images;
  for (int warm = 0; warm < 3; ++warm) {
    if (!g.Run(*context, in.latents, in.labels, images).ok()) failed = true;
  }
  start_line.arrive_and_wait();
  runs = 0;
  elapsed = 0;
  const auto start = std::chrono::steady_clock::now();
  while (elapsed < seconds && !failed) {
    if (!g.Run(*context, in.latents, in.labels, images).ok()) failed = true;
    ++runs;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string path = argv[1];
  std::vector<int64_t> batches = {1, 16, 64};
  double seconds = 3;
  int workers = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    bool ok = true;
    if (flag == "--batches") {
      ok = ganserve::ParseBatchList(value, batches);
    } else if (flag == "--seconds") {
      ok = absl::SimpleAtod(value, &seconds) && seconds > 0;
    } else if (flag == "--workers") {
      ok = absl::SimpleAtoi(value, &workers) && workers > 0;
    } else {
      ok = false;
    }
    if (!ok) return Usage();
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ganserve::GeneratorLoadOptions options;
  options.onednn_threads = std::max(1, cores / workers);  // as ganserve's --onednn_threads 0
  options.shed_threads_under_load = true;                 // as ganserve's default
  const std::string json = (std::filesystem::path(path).parent_path() / "model.json").string();
  auto generator = ganserve::LoadGenerator(path, json, options);
  if (!generator.ok()) {
    std::fprintf(stderr, "engine_rate: %s\n", std::string(generator.status().message()).c_str());
    return 1;
  }
  const ganserve::LoadedGenerator& g = **generator;
  for (int64_t batch : batches) {
    const Inputs in = MakeInputs(g, batch);
    std::barrier<> start_line(workers);
    std::atomic<bool> failed{false};
    std::vector<int64_t> runs(workers);
    std::vector<double> elapsed(workers);
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back(Worker, std::cref(g), std::cref(in), seconds, std::ref(start_line),
                           std::ref(failed), std::ref(runs[w]), std::ref(elapsed[w]));
    }
    for (std::thread& t : threads) t.join();
    if (failed) return 1;
    double rate = 0, ms = 0;
    int64_t total_runs = 0;
    for (int w = 0; w < workers; ++w) {
      rate += runs[w] * batch / elapsed[w];
      ms += 1e3 * elapsed[w] / runs[w] / workers;
      total_runs += runs[w];
    }
    std::printf(
        "batch %lld: %.1f img/s, %.3f ms per batch (%lld runs, %d workers x up to %d threads)\n",
        static_cast<long long>(batch), rate, ms, static_cast<long long>(total_runs), workers,
        options.onednn_threads);
  }
  return 0;
}
