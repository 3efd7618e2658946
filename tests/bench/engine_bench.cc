// Engine throughput: images/s and GFLOP/s of the generator zoo on the oneDNN
// executor at batch 1, 8 and 64; the reference executor at batch 8 for the
// speedup; and a large oneDNN f32 matmul as this CPU's practical peak.
// Run: nice ./build/tests/bench/engine_bench [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "engine/onednn/matmul_probe.h"
#include "engine/onednn/onednn_executor.h"
#include "engine/reference/reference_executor.h"
#include "tests/testing/generator_zoo.h"

namespace ganserve {
namespace {

void SetCounters(benchmark::State& state, int64_t batch, double flops_per_image) {
  state.counters["images_per_s"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP_per_s"] = benchmark::Counter(flops_per_image * batch / 1e9,
                                                     benchmark::Counter::kIsIterationInvariantRate);
}

void RunModel(benchmark::State& state, const ZooModel& model, int64_t batch, bool reference) {
  auto graph = model.make(1);
  if (!graph.ok()) {
    state.SkipWithError(std::string(graph.status().message()).c_str());
    return;
  }
  auto shared = std::make_shared<const Graph>(*std::move(graph));
  std::unique_ptr<Executor> exec;
  if (reference) {
    exec = std::make_unique<ReferenceExecutor>(shared);
  } else {
    auto made = OneDnnExecutor::Create(shared);
    if (!made.ok()) {
      state.SkipWithError(std::string(made.status().message()).c_str());
      return;
    }
    exec = *std::move(made);
  }
  std::mt19937 rng(3);
  std::vector<Tensor> inputs{RandomTensor(WithBatch(batch, shared->input_dims(0)), rng)};
  auto ctx = exec->NewContext();
  Tensor out;
  if (!exec->Run(*ctx, inputs, out).ok()) {  // warm-up: builds the plan
    state.SkipWithError("warm-up run failed");
    return;
  }
  for (auto _ : state) {
    if (!exec->Run(*ctx, inputs, out).ok()) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(out.data.data());
  }
  SetCounters(state, batch, GraphFlopsPerSample(*shared));
}

// C[n,n] = A[n,n] B[n,n] in f32: oneDNN's best case on this CPU.
void Matmul(benchmark::State& state) {
  MatmulProbe probe(state.range(0));
  for (auto _ : state) probe.Run();
  state.counters["GFLOP_per_s"] =
      benchmark::Counter(probe.flops() / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace
}  // namespace ganserve

int main(int argc, char** argv) {
  using ganserve::ZooModel;
  benchmark::RegisterBenchmark("matmul_f32", ganserve::Matmul)
      ->Arg(2048)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(1.0);
  for (const ZooModel& model : ganserve::GeneratorZoo()) {
    for (int64_t batch : {1, 8, 64}) {
      benchmark::RegisterBenchmark(
          ("onednn/" + model.name + "/batch:" + std::to_string(batch)).c_str(),
          [model, batch](benchmark::State& s) { ganserve::RunModel(s, model, batch, false); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(1.0);
    }
  }
  for (const ZooModel& model : ganserve::GeneratorZoo()) {
    if (model.name != "mnist_dcgan") continue;
    benchmark::RegisterBenchmark(
        ("reference/" + model.name + "/batch:8").c_str(),
        [model](benchmark::State& s) { ganserve::RunModel(s, model, 8, true); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
