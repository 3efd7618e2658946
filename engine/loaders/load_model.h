// The model file formats ganserve reads, in one table: how each is
// recognised (magic bytes, file extensions) and which loader reads it.
// LoadModel and the server's repository scan both ask it, so a new format
// is one row in load_model.cc.
#ifndef GANSERVE_ENGINE_LOADERS_LOAD_MODEL_H_
#define GANSERVE_ENGINE_LOADERS_LOAD_MODEL_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/loaders/loaded_model.h"

namespace ganserve {

enum class ModelFileKind { kHdf5, kZip, kOnnx };

struct ModelFormat {
  ModelFileKind kind;
  std::string_view name;
  // The file's first bytes; empty for the format tried when no other matches.
  std::string_view magic;
  // Extensions (with the dot) the repository scan takes as this format.
  absl::Span<const std::string_view> extensions;
  absl::StatusOr<LoadedModel> (*load)(const std::string& path);
};

absl::Span<const ModelFormat> ModelFormats();

// True when a file named like this (".onnx") is a model file of some format.
bool IsModelFileExtension(std::string_view extension);

// The kind by magic bytes; NotFound when the file cannot be read.
absl::StatusOr<ModelFileKind> DetectModelFileKind(const std::string& path);

absl::StatusOr<LoadedModel> LoadModel(const std::string& path);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_LOAD_MODEL_H_
