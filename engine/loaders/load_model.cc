#include "engine/loaders/load_model.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_loader.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<ModelFileKind> DetectModelFileKind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open model file ", path));
  char magic[8] = {};
  in.read(magic, sizeof(magic));
  const std::string head(magic, static_cast<size_t>(in.gcount()));
  if (head == std::string("\x89HDF\r\n\x1a\n", 8)) return ModelFileKind::kHdf5;
  if (head.rfind(std::string("PK\x03\x04", 4), 0) == 0) return ModelFileKind::kZip;
  return ModelFileKind::kOnnx;
}

absl::StatusOr<LoadedModel> LoadModel(const std::string& path) {
  GS_ASSIGN_OR_RETURN(ModelFileKind kind, DetectModelFileKind(path));
  switch (kind) {
    case ModelFileKind::kHdf5:
    case ModelFileKind::kZip:
      // TODO(lead): return LoadKerasModel(path) (engine/loaders/keras_loader.h)
      // once the Keras loader is on main; it handles both .h5 and .keras.
      return absl::UnimplementedError(
          absl::StrCat(path, ": Keras model files are not supported by this build yet"));
    case ModelFileKind::kOnnx:
      return LoadOnnxModel(path);
  }
  return absl::InternalError("unreachable");
}

}  // namespace ganserve
