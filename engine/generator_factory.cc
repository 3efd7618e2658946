#include "engine/generator_factory.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "engine/loaders/load_model.h"
#include "engine/onednn/onednn_executor.h"
#include "engine/reference/reference_executor.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<ExecutorKind> ParseExecutorKind(absl::string_view name) {
  if (name == "onednn") return ExecutorKind::kOneDnn;
  if (name == "reference") return ExecutorKind::kReference;
  return absl::InvalidArgumentError(
      absl::StrCat("executor must be onednn or reference, got '", name, "'"));
}

namespace {

constexpr int64_t kAutoBatch = 8;

// The fastest of a few runs at batch kAutoBatch, after one that builds the plan.
absl::StatusOr<double> FastestRunSeconds(const Executor& executor) {
  const Graph& graph = executor.graph();
  std::vector<Tensor> inputs;  // zeros: a valid label for every Embedding
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    inputs.emplace_back(WithBatch(kAutoBatch, graph.input_dims(i)));
  }
  auto context = executor.NewContext();
  Tensor output;
  GS_RETURN_IF_ERROR(executor.Run(*context, inputs, output));
  double best = 1e30;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    GS_RETURN_IF_ERROR(executor.Run(*context, inputs, output));
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// The executor for a resolved or auto precision, and the precision it runs.
absl::StatusOr<std::pair<std::unique_ptr<Executor>, Precision>> ExecutorFor(
    std::shared_ptr<const Graph> graph, ExecutorKind kind, OneDnnOptions onednn,
    Precision precision) {
  const bool native = kind == ExecutorKind::kOneDnn && CpuRunsBf16Natively();
  if (precision == Precision::kBf16 && !native) {
    return absl::FailedPreconditionError(
        kind == ExecutorKind::kOneDnn
            ? "precision bf16 needs a CPU with avx512_bf16 or AMX, which oneDNN does not find "
              "here; use f32 or auto"
            : "precision bf16 runs on the onednn executor only");
  }
  if (precision == Precision::kAuto && !native) precision = Precision::kF32;
  onednn.bf16 = precision == Precision::kBf16;
  GS_ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor, CreateExecutor(graph, kind, onednn));
  if (precision != Precision::kAuto) return std::pair{std::move(executor), precision};
  onednn.bf16 = true;
  GS_ASSIGN_OR_RETURN(std::unique_ptr<Executor> bf16, CreateExecutor(graph, kind, onednn));
  GS_ASSIGN_OR_RETURN(const double f32_seconds, FastestRunSeconds(*executor));
  GS_ASSIGN_OR_RETURN(const double bf16_seconds, FastestRunSeconds(*bf16));
  if (bf16_seconds < f32_seconds) return std::pair{std::move(bf16), Precision::kBf16};
  return std::pair{std::move(executor), Precision::kF32};
}

}  // namespace

absl::StatusOr<std::unique_ptr<Executor>> CreateExecutor(std::shared_ptr<const Graph> graph,
                                                         ExecutorKind kind,
                                                         const OneDnnOptions& onednn) {
  switch (kind) {
    case ExecutorKind::kReference:
      return std::unique_ptr<Executor>(new ReferenceExecutor(std::move(graph)));
    case ExecutorKind::kOneDnn:
      return OneDnnExecutor::Create(std::move(graph), onednn);
  }
  return absl::InternalError("unreachable");
}

absl::StatusOr<std::unique_ptr<Executor>> CreateExecutor(std::shared_ptr<const Graph> graph,
                                                         ExecutorKind kind, int onednn_threads) {
  return CreateExecutor(std::move(graph), kind, OneDnnOptions{onednn_threads});
}

absl::StatusOr<std::unique_ptr<LoadedGenerator>> BuildGenerator(LoadedModel model,
                                                                ModelOptions options,
                                                                ExecutorKind kind,
                                                                const OneDnnOptions& onednn,
                                                                Precision precision) {
  GS_ASSIGN_OR_RETURN(auto executor, ExecutorFor(model.graph, kind, onednn, precision));
  return LoadedGenerator::Create(std::move(model), std::move(executor.first), std::move(options),
                                 executor.second);
}

absl::StatusOr<std::unique_ptr<LoadedGenerator>> LoadGenerator(
    const std::string& model_path, const std::string& options_path,
    const GeneratorLoadOptions& options) {
  ModelOptions model_options;
  if (!options_path.empty()) {
    GS_ASSIGN_OR_RETURN(model_options, ReadModelOptionsFile(options_path));
  }
  absl::StatusOr<LoadedModel> model =
      options.loader ? options.loader(model_path) : LoadModel(model_path);
  if (!model.ok()) return WithFile(model_path, model.status());
  const OneDnnOptions onednn{options.onednn_threads, options.shed_threads_under_load};
  const Precision precision =
      options.precision_override.value_or(model_options.precision.value_or(options.precision));
  auto generator = BuildGenerator(*std::move(model), std::move(model_options), options.executor,
                                  onednn, precision);
  if (!generator.ok()) return WithFile(model_path, generator.status());
  return generator;
}

}  // namespace ganserve
