#include "engine/generator_factory.h"

#include "absl/strings/str_cat.h"
#include "engine/loaders/load_model.h"
#include "engine/onednn/onednn_executor.h"
#include "engine/reference/reference_executor.h"
#include "engine/status_macros.h"

namespace ganserve {

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

absl::StatusOr<std::unique_ptr<Generator>> BuildGenerator(LoadedModel model, ModelOptions options,
                                                          ExecutorKind kind,
                                                          const OneDnnOptions& onednn) {
  GS_ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor, CreateExecutor(model.graph, kind, onednn));
  return Generator::Create(std::move(model), std::move(executor), std::move(options));
}

absl::StatusOr<std::unique_ptr<Generator>> LoadGenerator(const std::string& model_path,
                                                         const std::string& options_path,
                                                         const GeneratorLoadOptions& options) {
  ModelOptions model_options;
  if (!options_path.empty()) {
    GS_ASSIGN_OR_RETURN(model_options, ReadModelOptionsFile(options_path));
  }
  absl::StatusOr<LoadedModel> model =
      options.loader ? options.loader(model_path) : LoadModel(model_path);
  if (!model.ok()) return model.status();
  const OneDnnOptions onednn{options.onednn_threads, options.shed_threads_under_load};
  auto generator =
      BuildGenerator(*std::move(model), std::move(model_options), options.executor, onednn);
  if (!generator.ok()) {
    return absl::Status(generator.status().code(),
                        absl::StrCat(model_path, ": ", generator.status().message()));
  }
  return generator;
}

}  // namespace ganserve
