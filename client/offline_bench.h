// ganctl bench FILE: engine-only throughput and latency of a model file at
// several batch sizes and precisions (no server, no gRPC), as GFLOP/s and a
// share of this CPU's measured f32 matmul peak; non-f32 rows also report
// their error against f32 on the same latents.
#ifndef GANSERVE_CLIENT_OFFLINE_BENCH_H_
#define GANSERVE_CLIENT_OFFLINE_BENCH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/bench_report.h"
#include "client/offline_model.h"
#include "engine/image_error.h"
#include "engine/precision.h"

namespace ganserve::client {

struct OfflineBenchOptions {
  std::string model_file;
  OfflineModelOptions model;
  std::vector<int64_t> batches{1, 8, 64};
  std::vector<Precision> precisions{Precision::kF32};
  int threads = 0;          // oneDNN threads per run; 0: every core
  double seconds = 2;       // measured time per row, at least
  int64_t min_runs = 5;     // and at least this many runs
  int64_t warmup = 2;       // runs per row before measuring
  double peak_seconds = 1;  // the f32 matmul peak's measurement; 0 skips it
  uint64_t seed = 1;        // latents: ganserve's sampler, image i = latent i of this seed
};

struct OfflineBenchRow {
  std::string precision;  // the one in use (auto resolved)
  int64_t batch = 0, runs = 0;
  double images_per_s = 0, p50_ms = 0, p99_ms = 0, gflops = 0;
  double peak_percent = 0;  // of the f32 matmul peak; 0 when not measured
  std::optional<ImageError> vs_f32;
};

struct OfflineBenchResult {
  std::string model_file, cpu_isa, executor;
  int threads = 0;
  double flops_per_image = 0, matmul_peak_gflops = 0;
  std::vector<OfflineBenchRow> rows;
};

absl::StatusOr<OfflineBenchResult> RunOfflineBench(const OfflineBenchOptions& options);

// kText (a table) or kJson (one object); kCsv as one line per row.
std::string FormatOfflineBench(const OfflineBenchResult& result, ReportFormat format);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_OFFLINE_BENCH_H_
