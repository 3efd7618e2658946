#include "server/inference_metadata.h"

#include "absl/strings/str_cat.h"
#include "server/inference_outputs.h"

namespace ganserve {
namespace {

std::string Platform(const std::string& format) {
  if (format == "onnx") return "onnx_onnxv1";
  if (format == "keras-h5") return "keras_hdf5";
  if (format == "keras-zip") return "keras_keras";
  return absl::StrCat("ganserve_", format.empty() ? "model" : format);
}

}  // namespace

InferServerMetadata DescribeServer() { return {"ganserve", GANSERVE_VERSION, {}}; }

InferModelMetadata DescribeModel(const Servable& servable) {
  const LoadedGenerator& generator = *servable.generator;
  return {servable.name,
          {servable.version},
          Platform(generator.model().format),
          DescribeInputs(generator),
          DescribeOutputs(generator)};
}

absl::Status CheckModelVersion(const Servable& servable, const std::string& version) {
  if (version.empty() || version == servable.version) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("model '", servable.name, "' has no version '", version,
                                          "'; it serves version '", servable.version, "'"));
}

}  // namespace ganserve
