#include "engine/loaders/load_model.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/loaders/keras_loader.h"
#include "engine/loaders/onnx_loader.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

constexpr std::string_view kHdf5Extensions[] = {".h5", ".hdf5"};
constexpr std::string_view kKerasExtensions[] = {".keras"};
constexpr std::string_view kOnnxExtensions[] = {".onnx"};

// Tried in order; the ONNX row has no magic (a protobuf has none), so it comes last.
const ModelFormat kModelFormats[] = {
    {ModelFileKind::kHdf5, "Keras HDF5", std::string_view("\x89HDF\r\n\x1a\n", 8), kHdf5Extensions,
     LoadKerasModel},
    {ModelFileKind::kZip, "Keras 3 zip", std::string_view("PK\x03\x04", 4), kKerasExtensions,
     LoadKerasModel},
    {ModelFileKind::kOnnx, "ONNX", "", kOnnxExtensions, LoadOnnxModel},
};

const ModelFormat& FormatOf(std::string_view head) {
  for (const ModelFormat& format : kModelFormats) {
    if (head.starts_with(format.magic)) return format;
  }
  return kModelFormats[std::size(kModelFormats) - 1];
}

absl::StatusOr<const ModelFormat*> DetectModelFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open model file ", path));
  char magic[8] = {};
  in.read(magic, sizeof(magic));
  return &FormatOf(std::string_view(magic, static_cast<size_t>(in.gcount())));
}

}  // namespace

absl::Span<const ModelFormat> ModelFormats() { return kModelFormats; }

bool IsModelFileExtension(std::string_view extension) {
  return std::any_of(std::begin(kModelFormats), std::end(kModelFormats), [&](const auto& format) {
    return std::find(format.extensions.begin(), format.extensions.end(), extension) !=
           format.extensions.end();
  });
}

absl::StatusOr<ModelFileKind> DetectModelFileKind(const std::string& path) {
  GS_ASSIGN_OR_RETURN(const ModelFormat* format, DetectModelFormat(path));
  return format->kind;
}

absl::StatusOr<LoadedModel> LoadModel(const std::string& path) {
  GS_ASSIGN_OR_RETURN(const ModelFormat* format, DetectModelFormat(path));
  return format->load(path);
}

}  // namespace ganserve
