// ganctl bench FILE: the offline form of ganctl bench (flags and report);
// the measuring is offline_bench.cc's.
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/batch_list.h"
#include "client/commands.h"
#include "client/offline_bench.h"

namespace ganserve::client {

int OfflineBenchCommand(const Args& args) {
  OfflineBenchOptions o;
  std::string batches = "1,8,64", precisions = "f32", format = "text";
  int64_t threads = 0, seed = 1;
  FlagSet flags(
      "ganctl bench FILE [--batch 1,8,64] [--threads N] [--precision f32,bf16,auto] "
      "[--format text|json|csv]",
      "Offline: the engine alone runs a model file (no server), as OpenVINO's benchmark_app.\n"
      "Per precision and batch size: img/s, p50/p99 latency of one run, GFLOP/s and the share\n"
      "of this CPU's f32 matmul peak (measured first); rows other than f32 also give their\n"
      "error against f32 on the same latents (PSNR of the uint8 images, largest level\n"
      "difference). Without FILE, ganctl bench load-tests a server.");
  AddOfflineModelFlags(flags, o.model, /*with_executor=*/true);
  flags.String("batch,b", &batches, "comma-separated batch sizes");
  flags.Int("threads", &threads, "oneDNN threads per run (0: every core)");
  flags.String("precision", &precisions,
               "comma-separated: f32, bf16 (needs avx512_bf16 or AMX), auto (bf16 where native "
               "and measured faster); overrides model.json's \"precision\"");
  flags.Double("seconds", &o.seconds, "measured time per row, at least");
  flags.Int("min-runs", &o.min_runs, "measured runs per row, at least");
  flags.Int("warmup", &o.warmup, "runs per row before measuring");
  flags.Double("peak-seconds", &o.peak_seconds,
               "time to measure the f32 matmul peak (0: skip it and the %peak column)");
  flags.Int("seed", &seed, "latents: image i uses latent i of this seed");
  flags.String("format", &format, "report format: text, json or csv");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;
  if (flags.positional().size() != 1) {
    std::cerr << "ganctl bench: give one model FILE (see --help)\n";
    return kExitUsage;
  }
  o.model_file = flags.positional()[0];
  if (!ParseBatchList(batches, o.batches)) {
    std::cerr << "ganctl bench: --batch wants positive integers like 1,8,64, got '" << batches
              << "'\n";
    return kExitUsage;
  }
  o.precisions.clear();
  for (absl::string_view name : absl::StrSplit(precisions, ',')) {
    absl::StatusOr<Precision> precision = ParsePrecision(name);
    if (!precision.ok()) {
      std::cerr << "ganctl bench: --" << precision.status().message() << "\n";
      return kExitUsage;
    }
    o.precisions.push_back(*precision);
  }
  if (threads < 0 || o.seconds < 0 || o.min_runs < 1 || o.warmup < 0 || o.peak_seconds < 0) {
    std::cerr << "ganctl bench: --threads, --seconds, --warmup and --peak-seconds must be >= 0 "
                 "and --min-runs >= 1\n";
    return kExitUsage;
  }
  o.threads = static_cast<int>(threads);
  o.seed = static_cast<uint64_t>(seed);
  auto report_format = ParseReportFormat(format);
  if (!report_format.ok()) return Fail("bench", report_format.status());
  if (!o.model.model_json.empty() && !std::filesystem::exists(o.model.model_json)) {
    return Fail("bench", absl::NotFoundError(
                             absl::StrCat("--model-json ", o.model.model_json, " does not exist")));
  }
  absl::StatusOr<OfflineBenchResult> result = RunOfflineBench(o);
  if (!result.ok()) return Fail("bench", result.status());
  std::cout << FormatOfflineBench(*result, *report_format);
  return kExitOk;
}

}  // namespace ganserve::client
