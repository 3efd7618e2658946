// Loads an ONNX generator (PyTorch 1.x/2.x exports, opsets 9-17) into the
// channels-last graph IR. Inputs and the output keep the file's own layout
// (NCHW samples); constant subgraphs are folded; any batch size is served.
#ifndef GANSERVE_ENGINE_LOADERS_ONNX_LOADER_H_
#define GANSERVE_ENGINE_LOADERS_ONNX_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "engine/loaders/loaded_model.h"

namespace ganserve {

absl::StatusOr<LoadedModel> LoadOnnxModel(const std::string& path);
// The same from the file's bytes (tests, fuzzing).
absl::StatusOr<LoadedModel> LoadOnnxModelFromBytes(const std::string& bytes);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_ONNX_LOADER_H_
