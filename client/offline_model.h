// ganctl inspect and render read model files themselves, through the same
// loader and generator factory as ganserve, with the same model.json rule.
#ifndef GANSERVE_CLIENT_OFFLINE_MODEL_H_
#define GANSERVE_CLIENT_OFFLINE_MODEL_H_

#include <string>

#include "client/flag_set.h"
#include "engine/generator_factory.h"

namespace ganserve::client {

struct OfflineModelOptions {
  std::string model_json;  // empty: model.json beside the model file, as ganserve does
  std::string executor = "onednn";
};

// --model-json, and --executor when `with_executor`.
void AddOfflineModelFlags(FlagSet& flags, OfflineModelOptions& options, bool with_executor);

// The model.json ganserve would read for `model_path` (the file may not exist).
std::string ModelJsonPath(const std::string& model_path, const OfflineModelOptions& options);

// Parses model files in ganserve-load (next to ganctl, else the build
// tree's) under its default limits, as ganserve does: vetting an untrusted
// file must not run its parser in ganctl either.
absl::StatusOr<ModelFileLoader> IsolatedModelLoader();

// InvalidArgument for an unknown --executor name.
absl::StatusOr<ExecutorKind> ParseExecutor(const std::string& name);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_OFFLINE_MODEL_H_
