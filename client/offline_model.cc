#include "client/offline_model.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "engine/loader_child/isolated_load.h"
#include "engine/loader_child/loader_binary.h"

namespace ganserve::client {

void AddOfflineModelFlags(FlagSet& flags, OfflineModelOptions& options, bool with_executor) {
  flags.String("model-json", &options.model_json,
               "label names, value range... (default: model.json beside FILE, as ganserve)");
  if (!with_executor) return;
  flags.String("executor", &options.executor, "engine that runs the graph: onednn or reference");
}

absl::StatusOr<ModelFileLoader> IsolatedModelLoader() {
  absl::StatusOr<std::string> binary = FindLoaderBinary("");
  if (!binary.ok()) return binary.status();
  return ModelFileLoader([binary = *binary](const std::string& path) {
    return LoadModelIsolated(binary, path, LoaderLimits{});
  });
}

std::string ModelJsonPath(const std::string& model_path, const OfflineModelOptions& options) {
  if (!options.model_json.empty()) return options.model_json;
  return (std::filesystem::path(model_path).parent_path() / "model.json").string();
}

absl::StatusOr<ExecutorKind> ParseExecutor(const std::string& name) {
  absl::StatusOr<ExecutorKind> kind = ParseExecutorKind(name);
  if (!kind.ok()) return absl::InvalidArgumentError(absl::StrCat("--", kind.status().message()));
  return kind;
}

}  // namespace ganserve::client
