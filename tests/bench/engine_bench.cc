// Engine throughput: images/s and GFLOP/s of the generator zoo on the oneDNN
// executor at batch 1, 8 and 64; the reference executor at batch 8 for the
// speedup; and a large oneDNN f32 matmul as this CPU's practical peak.
// Run: nice ./build/tests/bench/engine_bench [--precision=f32|bf16] [--benchmark_format=json]
// --precision=bf16 runs the oneDNN rows with OneDnnOptions::bf16 (what
// --precision=bf16 serves); the reference rows and the matmul stay f32.
// cpu_time is the whole process's (every OpenMP thread), so it stays the
// work itself when other jobs share the cores and the wall clock swings.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
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

void RunModel(benchmark::State& state, const ZooModel& model, int64_t batch, bool reference,
              bool bf16) {
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
    OneDnnOptions options;
    options.bf16 = bf16;
    auto made = OneDnnExecutor::Create(shared, options);
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

// Takes --precision=f32|bf16 out of argv before Google Benchmark reads the
// rest; false, with a message, for any other value.
bool TakePrecision(int& argc, char** argv, bool& bf16) {
  constexpr const char kFlag[] = "--precision=";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kFlag, sizeof(kFlag) - 1) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    const std::string value = argv[i] + sizeof(kFlag) - 1;
    if (value != "f32" && value != "bf16") {
      std::fprintf(stderr, "--precision must be f32 or bf16, got '%s'\n", value.c_str());
      return false;
    }
    bf16 = value == "bf16";
  }
  argc = kept;
  return true;
}

}  // namespace
}  // namespace ganserve

int main(int argc, char** argv) {
  using ganserve::ZooModel;
  bool bf16 = false;
  if (!ganserve::TakePrecision(argc, argv, bf16)) return 2;
  benchmark::AddCustomContext("precision", bf16 ? "bf16" : "f32");
  benchmark::RegisterBenchmark("matmul_f32", ganserve::Matmul)
      ->Arg(2048)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->MinTime(1.0);
  for (const ZooModel& model : ganserve::GeneratorZoo()) {
    for (int64_t batch : {1, 8, 64}) {
      benchmark::RegisterBenchmark(
          ("onednn/" + model.name + "/batch:" + std::to_string(batch)).c_str(),
          [model, batch, bf16](benchmark::State& s) {
            ganserve::RunModel(s, model, batch, false, bf16);
          })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MeasureProcessCPUTime()
          ->MinTime(1.0);
    }
  }
  for (const ZooModel& model : ganserve::GeneratorZoo()) {
    if (model.name != "mnist_dcgan") continue;
    benchmark::RegisterBenchmark(
        ("reference/" + model.name + "/batch:8").c_str(),
        [model](benchmark::State& s) { ganserve::RunModel(s, model, 8, true, false); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->MeasureProcessCPUTime()
        ->Iterations(1);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
