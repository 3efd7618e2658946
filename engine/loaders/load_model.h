// Loads a model file with the loader its first bytes call for: HDF5 → Keras
// .h5, zip → Keras 3 .keras, anything else → ONNX.
#ifndef GANSERVE_ENGINE_LOADERS_LOAD_MODEL_H_
#define GANSERVE_ENGINE_LOADERS_LOAD_MODEL_H_

#include <string>

#include "absl/status/statusor.h"
#include "engine/loaders/loaded_model.h"

namespace ganserve {

enum class ModelFileKind { kHdf5, kZip, kOnnx };

// The kind by magic bytes; NotFound when the file cannot be read.
absl::StatusOr<ModelFileKind> DetectModelFileKind(const std::string& path);

absl::StatusOr<LoadedModel> LoadModel(const std::string& path);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_LOAD_MODEL_H_
