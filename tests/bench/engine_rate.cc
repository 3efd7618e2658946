// Engine-only images/s of a model file at given batch sizes, with the
// executor options ganserve uses (oneDNN threads = cores / workers, one
// thread while other load fills the cores), and no
// gRPC: the ceiling serve_bench.sh compares the server against.
// Run: build/tests/bench/engine_rate MODEL_FILE [--batches 1,16,64] [--seconds 3] [--workers 1]
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
  auto context = g.NewContext();
  for (int64_t batch : batches) {
    std::vector<float> latents(batch * g.latent_size());
    for (size_t i = 0; i < latents.size(); ++i)
      latents[i] = 0.01f * static_cast<float>(i % 97) - 0.5f;
    std::vector<int32_t> labels(g.conditional() ? batch : 0);
    for (size_t i = 0; i < labels.size(); ++i)
      labels[i] = static_cast<int32_t>(i % g.label_count());
    ganserve::Tensor images;
    for (int warm = 0; warm < 3; ++warm) {
      if (!g.Run(*context, latents, labels, images).ok()) return 1;
    }
    int64_t runs = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      if (!g.Run(*context, latents, labels, images).ok()) return 1;
      ++runs;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::printf("batch %lld: %.1f img/s, %.3f ms per batch (%lld runs, up to %d threads)\n",
                static_cast<long long>(batch), runs * batch / elapsed, 1e3 * elapsed / runs,
                static_cast<long long>(runs), options.onednn_threads);
  }
  return 0;
}
