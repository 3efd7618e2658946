#include "engine/loaders/load_model.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/loaders/keras_loader.h"
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
      return LoadKerasModel(path);  // it handles both .h5 and .keras
    case ModelFileKind::kOnnx:
      return LoadOnnxModel(path);
  }
  return absl::InternalError("unreachable");
}

}  // namespace ganserve
