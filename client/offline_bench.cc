#include "client/offline_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/generator_factory.h"
#include "engine/graph_flops.h"
#include "engine/latent_sampler.h"
#include "engine/onednn/matmul_probe.h"
#include "engine/status_macros.h"

namespace ganserve::client {
namespace {

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  const size_t rank = static_cast<size_t>(std::ceil(p / 100 * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

struct Batch {
  std::vector<float> latents;
  std::vector<int32_t> labels;
};

Batch MakeBatch(const LoadedGenerator& g, int64_t n, uint64_t seed) {
  Batch b;
  b.latents =
      SampleLatents({.seed = seed, .distribution = g.default_distribution()}, n, g.latent_size());
  for (int64_t i = 0; g.conditional() && i < n; ++i) {
    b.labels.push_back(static_cast<int32_t>(i % g.label_count()));
  }
  return b;
}

absl::StatusOr<std::unique_ptr<LoadedGenerator>> Load(const OfflineBenchOptions& o, int threads,
                                                      std::optional<Precision> precision) {
  GS_ASSIGN_OR_RETURN(ExecutorKind executor, ParseExecutor(o.model.executor));
  GeneratorLoadOptions load;
  load.executor = executor;
  load.onednn_threads = threads;
  load.precision_override = precision;
  const std::string json = ModelJsonPath(o.model_file, o.model);
  return LoadGenerator(o.model_file, std::filesystem::exists(json) ? json : "", load);
}

absl::StatusOr<OfflineBenchRow> Measure(const LoadedGenerator& g, const OfflineBenchOptions& o,
                                        int64_t batch, double flops_per_image) {
  const Batch input = MakeBatch(g, batch, o.seed);
  auto context = g.NewContext();
  Tensor images;
  for (int64_t r = 0; r < o.warmup; ++r) {
    GS_RETURN_IF_ERROR(g.Run(*context, input.latents, input.labels, images));
  }
  std::vector<double> ms;
  double total = 0;
  while (total < o.seconds || static_cast<int64_t>(ms.size()) < o.min_runs) {
    const auto start = std::chrono::steady_clock::now();
    GS_RETURN_IF_ERROR(g.Run(*context, input.latents, input.labels, images));
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ms.push_back(1e3 * s);
    total += s;
  }
  std::sort(ms.begin(), ms.end());
  OfflineBenchRow row;
  row.precision = PrecisionName(g.precision());
  row.batch = batch;
  row.runs = static_cast<int64_t>(ms.size());
  row.images_per_s = batch * row.runs / total;
  row.p50_ms = Percentile(ms, 50);
  row.p99_ms = Percentile(ms, 99);
  row.gflops = row.images_per_s * flops_per_image / 1e9;
  return row;
}

// `g`'s images against `f32`'s for the same latents, as uint8 levels.
absl::StatusOr<ImageError> ErrorAgainst(const LoadedGenerator& g, const LoadedGenerator& f32,
                                        int64_t batch, uint64_t seed) {
  const Batch input = MakeBatch(g, batch, seed);
  Tensor got, want;
  auto c1 = g.NewContext(), c2 = f32.NewContext();
  GS_RETURN_IF_ERROR(g.Run(*c1, input.latents, input.labels, got));
  GS_RETURN_IF_ERROR(f32.Run(*c2, input.latents, input.labels, want));
  return CompareAsImages(got.data, want.data, g.value_min(), g.value_max());
}

}  // namespace

absl::StatusOr<OfflineBenchResult> RunOfflineBench(const OfflineBenchOptions& o) {
  OfflineBenchResult result;
  result.model_file = o.model_file;
  result.executor = o.model.executor;
  result.cpu_isa = CpuIsaName();
  result.threads = o.threads > 0
                       ? o.threads
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (o.peak_seconds > 0)
    result.matmul_peak_gflops = MeasureMatmulGflops(result.threads, o.peak_seconds);
  std::unique_ptr<LoadedGenerator> f32;
  for (Precision precision : o.precisions) {
    GS_ASSIGN_OR_RETURN(std::unique_ptr<LoadedGenerator> g, Load(o, result.threads, precision));
    result.flops_per_image = GraphFlopsPerSample(*g->model().graph);
    for (int64_t batch : o.batches) {
      GS_ASSIGN_OR_RETURN(OfflineBenchRow row, Measure(*g, o, batch, result.flops_per_image));
      if (result.matmul_peak_gflops > 0) {
        row.peak_percent = 100 * row.gflops / result.matmul_peak_gflops;
      }
      if (g->precision() != Precision::kF32) {
        if (f32 == nullptr) {
          GS_ASSIGN_OR_RETURN(f32, Load(o, result.threads, Precision::kF32));
        }
        GS_ASSIGN_OR_RETURN(row.vs_f32, ErrorAgainst(*g, *f32, batch, o.seed));
      }
      result.rows.push_back(row);
    }
  }
  return result;
}

std::string FormatOfflineBench(const OfflineBenchResult& r, ReportFormat format) {
  std::string out;
  if (format == ReportFormat::kJson) {
    absl::StrAppendFormat(&out,
                          "{\"model_file\": \"%s\", \"executor\": \"%s\", \"cpu_isa\": \"%s\", "
                          "\"threads\": %d, \"flops_per_image\": %.0f, "
                          "\"matmul_peak_gflops\": %.1f, \"rows\": [",
                          r.model_file, r.executor, r.cpu_isa, r.threads, r.flops_per_image,
                          r.matmul_peak_gflops);
    for (size_t i = 0; i < r.rows.size(); ++i) {
      const OfflineBenchRow& row = r.rows[i];
      absl::StrAppendFormat(&out,
                            "%s\n  {\"precision\": \"%s\", \"batch\": %d, \"runs\": %d, "
                            "\"images_per_s\": %.2f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
                            "\"gflops\": %.2f, \"peak_percent\": %.1f",
                            i ? "," : "", row.precision, row.batch, row.runs, row.images_per_s,
                            row.p50_ms, row.p99_ms, row.gflops, row.peak_percent);
      if (row.vs_f32) {
        // JSON has no infinity: identical images report a PSNR of null.
        const double psnr = row.vs_f32->psnr_db;
        absl::StrAppend(&out, ", \"psnr_db_vs_f32\": ",
                        std::isinf(psnr) ? "null" : absl::StrFormat("%.2f", psnr),
                        ", \"max_level_difference_vs_f32\": ", row.vs_f32->max_level_difference);
      }
      out += "}";
    }
    out += "\n]}\n";
    return out;
  }
  if (format == ReportFormat::kCsv) {
    for (const OfflineBenchRow& row : r.rows) {
      absl::StrAppendFormat(&out, "%s,%s,%d,%s,%d,%d,%.2f,%.3f,%.3f,%.2f,%.1f,%s,%s\n",
                            r.model_file, r.cpu_isa, r.threads, row.precision, row.batch, row.runs,
                            row.images_per_s, row.p50_ms, row.p99_ms, row.gflops, row.peak_percent,
                            row.vs_f32 ? absl::StrFormat("%.2f", row.vs_f32->psnr_db) : "",
                            row.vs_f32 ? absl::StrCat(row.vs_f32->max_level_difference) : "");
    }
    return out;
  }
  absl::StrAppendFormat(&out, "%s: %.2f MFLOP/image, %s executor, %d threads, oneDNN ISA %s\n",
                        r.model_file, r.flops_per_image / 1e6, r.executor, r.threads, r.cpu_isa);
  if (r.matmul_peak_gflops > 0) {
    absl::StrAppendFormat(&out, "f32 matmul peak (2048^3): %.1f GFLOP/s\n", r.matmul_peak_gflops);
  }
  absl::StrAppendFormat(&out, "%-9s %6s %10s %9s %9s %9s %6s %6s  %s\n", "precision", "batch",
                        "img/s", "p50 ms", "p99 ms", "GFLOP/s", "%peak", "runs", "vs f32");
  for (const OfflineBenchRow& row : r.rows) {
    std::string error;
    if (row.vs_f32) {
      error = absl::StrFormat("PSNR %.1f dB, max %d levels", row.vs_f32->psnr_db,
                              row.vs_f32->max_level_difference);
    }
    absl::StrAppendFormat(&out, "%-9s %6d %10.1f %9.3f %9.3f %9.1f %6.1f %6d  %s\n", row.precision,
                          row.batch, row.images_per_s, row.p50_ms, row.p99_ms, row.gflops,
                          row.peak_percent, row.runs, error);
  }
  return out;
}

}  // namespace ganserve::client
