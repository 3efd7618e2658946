#include "engine/loaders/keras_loader.h"

#include <exception>
#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/loaders/keras_config.h"
#include "engine/loaders/keras_graph.h"
#include "engine/loaders/keras_hdf5.h"
#include "engine/loaders/keras_weights.h"
#include "engine/loaders/keras_zip.h"
#include "engine/loaders/load_model.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::StatusOr<LoadedModel> Finish(const std::string& model_config,
                                   const KerasWeightSource& weights, std::string format,
                                   std::string keras_version) {
  GS_ASSIGN_OR_RETURN(KerasModelSpec spec, ParseKerasModelConfig(model_config));
  GS_ASSIGN_OR_RETURN(Graph graph, BuildKerasGraph(spec, weights, KerasDialectOf(keras_version)));
  LoadedModel model;
  model.graph = std::make_shared<const Graph>(std::move(graph));
  model.format = std::move(format);
  model.saver_version = std::move(keras_version);
  model.model_name = spec.name;
  model.sequential = spec.sequential;
  model.output_layout = SampleLayout::kChannelsLast;
  return model;
}

absl::StatusOr<LoadedModel> LoadH5(const std::string& path) {
  GS_ASSIGN_OR_RETURN(H5File file, H5File::Open(path));
  const hid_t root = file.root();
  if (!H5HasAttr(root, "model_config")) {
    if (H5HasAttr(root, "layer_names") || H5HasLink(root, "layers")) {
      return absl::InvalidArgumentError(
          "weights-only file (saved with save_weights): it has no model_config, so the "
          "architecture is unknown; save the whole model with model.save()");
    }
    return absl::InvalidArgumentError("HDF5 file without a Keras model_config attribute");
  }
  GS_ASSIGN_OR_RETURN(std::string config, H5ReadStringAttr(root, "model_config"));
  std::string version = "unknown";
  if (H5HasAttr(root, "keras_version")) {
    GS_ASSIGN_OR_RETURN(version, H5ReadStringAttr(root, "keras_version"));
  }
  if (!H5HasLink(root, "model_weights")) {
    return absl::InvalidArgumentError("the file has a model_config but no model_weights group");
  }
  GS_ASSIGN_OR_RETURN(H5Handle weights_group, H5OpenGroup(root, "model_weights"));
  auto weights = LegacyH5Weights(weights_group.get());
  return Finish(config, *weights, "keras-h5", version);
}

absl::StatusOr<LoadedModel> LoadZip(const std::string& path) {
  GS_ASSIGN_OR_RETURN(auto members, ReadZipMembers(path, {"config.json", "model.weights.h5"}));
  std::string version = "unknown";
  auto metadata = ReadZipMembers(path, {"metadata.json"});
  if (metadata.ok()) {
    auto doc = nlohmann::json::parse((*metadata)["metadata.json"], nullptr, false);
    if (doc.is_object() && doc.contains("keras_version") && doc["keras_version"].is_string()) {
      version = doc["keras_version"].get<std::string>();
    }
  }
  GS_ASSIGN_OR_RETURN(H5File file, H5File::OpenImage(members["model.weights.h5"],
                                                     absl::StrCat(path, ":model.weights.h5")));
  GS_ASSIGN_OR_RETURN(auto weights, KerasV3Weights(file.root()));
  return Finish(members["config.json"], *weights, "keras-zip", version);
}

}  // namespace

CoordinateMode KerasBilinearMode(const std::string& keras_version) {
  // Multi-backend Keras 2.2.3-2.3.x called tf.image.resize_bilinear with its
  // TF1 defaults, and so did tf.keras in TF 1.13/1.14 ("2.2.4-tf"); tf.keras
  // from "2.3.0-tf" on, Keras 2.4+ and Keras 3 use half-pixel centres.
  std::vector<std::string> parts = absl::StrSplit(keras_version, absl::ByAnyChar(".-"));
  int major = 0, minor = 0;
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &major) ||
      !absl::SimpleAtoi(parts[1], &minor)) {
    return CoordinateMode::kHalfPixel;
  }
  if (keras_version == "2.2.4-tf") return CoordinateMode::kAsymmetric;
  if (absl::EndsWith(keras_version, "-tf")) return CoordinateMode::kHalfPixel;
  if (major < 2 || (major == 2 && minor < 4)) return CoordinateMode::kAsymmetric;
  return CoordinateMode::kHalfPixel;
}

KerasDialect KerasDialectOf(const std::string& keras_version) {
  KerasDialect dialect;
  dialect.bilinear_mode = KerasBilinearMode(keras_version);
  int major = 0;
  const std::string first = keras_version.substr(0, keras_version.find('.'));
  // An unknown version is a .keras without metadata: Keras 3 writes those.
  if (absl::SimpleAtoi(first, &major)) dialect.keras_major = major;
  return dialect;
}

absl::StatusOr<LoadedModel> LoadKerasModel(const std::string& path) {
  try {
    // The format table's magic bytes tell a Keras 3 zip from legacy HDF5; a
    // file that cannot be read goes to the HDF5 reader, which names it.
    const absl::StatusOr<ModelFileKind> kind = DetectModelFileKind(path);
    const bool zip = kind.ok() && *kind == ModelFileKind::kZip;
    absl::StatusOr<LoadedModel> model = zip ? LoadZip(path) : LoadH5(path);
    if (!model.ok()) return WithFile(path, model.status());
    return model;
  } catch (const std::exception& e) {
    // nlohmann::json and std containers may throw on malformed input that a
    // check missed; no exception leaves the loader.
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": malformed Keras file (", e.what(), ")"));
  }
}

}  // namespace ganserve
