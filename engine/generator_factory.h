// The one place where a model file becomes a LoadedGenerator: which loader reads
// the file (by its magic bytes) and which executor runs the graph.
#ifndef GANSERVE_ENGINE_GENERATOR_FACTORY_H_
#define GANSERVE_ENGINE_GENERATOR_FACTORY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/loaded_generator.h"
#include "engine/onednn/onednn_executor.h"
#include "engine/precision.h"

namespace ganserve {

enum class ExecutorKind { kReference, kOneDnn };

// "onednn" or "reference", the spelling of ganserve's and ganctl's --executor.
absl::StatusOr<ExecutorKind> ParseExecutorKind(absl::string_view name);

using ModelFileLoader = std::function<absl::StatusOr<LoadedModel>(const std::string& path)>;

struct GeneratorLoadOptions {
  ExecutorKind executor = ExecutorKind::kOneDnn;
  // OpenMP threads per oneDNN Run; 0 keeps the runtime's default (all cores).
  int onednn_threads = 0;
  // Drop to one thread while other processes fill the cores
  // (OneDnnOptions::shed_threads_under_load).
  bool shed_threads_under_load = false;
  // The precision of a model whose model.json names none; `precision_override`
  // (ganctl's --precision) wins over model.json.
  Precision precision = Precision::kF32;
  std::optional<Precision> precision_override;
  // Reads a model file; empty means LoadModel (engine/loaders/load_model.h).
  // Tests inject their own to serve graphs built in code.
  ModelFileLoader loader;
};

absl::StatusOr<std::unique_ptr<Executor>> CreateExecutor(std::shared_ptr<const Graph> graph,
                                                         ExecutorKind kind, int onednn_threads = 0);
absl::StatusOr<std::unique_ptr<Executor>> CreateExecutor(std::shared_ptr<const Graph> graph,
                                                         ExecutorKind kind,
                                                         const OneDnnOptions& onednn);

// `precision` kBf16 needs the oneDNN executor on a CPU that runs bf16
// natively (FailedPrecondition otherwise); kAuto is bf16 only there, and only
// when a timed warm-up at batch 8 ran it faster than f32.
absl::StatusOr<std::unique_ptr<LoadedGenerator>> BuildGenerator(
    LoadedModel model, ModelOptions options, ExecutorKind kind, const OneDnnOptions& onednn = {},
    Precision precision = Precision::kF32);

// Loads `model_path` and, when `options_path` names an existing file, its model.json.
absl::StatusOr<std::unique_ptr<LoadedGenerator>> LoadGenerator(const std::string& model_path,
                                                               const std::string& options_path,
                                                               const GeneratorLoadOptions& options);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_GENERATOR_FACTORY_H_
