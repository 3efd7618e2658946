// Parses a Keras model config (the JSON in `model_config` / config.json) into
// one normalised description, whatever the dialect: the <=2.1 Sequential whose
// config is a bare list, tf.keras 2 (batch_input_shape, nested-list inbound
// nodes) and Keras 3 (batch_shape, dtype-policy dicts, __keras_tensor__
// keras_history). Sequential models become a chain with an explicit input.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_CONFIG_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_CONFIG_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace ganserve {

struct KerasModelSpec;

struct KerasLayerSpec {
  std::string class_name;
  std::string name;
  nlohmann::json config;                   // the layer's own "config" object
  std::vector<std::string> inbound;        // producer layer names, in call order
  std::shared_ptr<KerasModelSpec> nested;  // set when the layer is itself a model
};

struct KerasModelSpec {
  std::string class_name;  // "Sequential", "Functional" or "Model"
  std::string name;
  bool sequential = false;
  // For Sequential, layers[0] is an InputLayer (synthesised when the file
  // has none) and each later layer's inbound is the previous layer.
  std::vector<KerasLayerSpec> layers;
  std::vector<std::string> input_layers;  // model input order
  std::string output_layer;
};

// `model_config` is the whole {"class_name": ..., "config": ...} document.
absl::StatusOr<KerasModelSpec> ParseKerasModelConfig(const std::string& model_config);

bool IsKerasModelClass(const std::string& class_name);

// Per-sample input dims from a layer config's batch_input_shape (Keras 2),
// batch_shape (Keras 3 InputLayer) or build_config.input_shape, dropping the
// batch axis. nullopt when the config has none of them.
absl::StatusOr<std::optional<Dims>> InputDimsFromLayerConfig(const nlohmann::json& layer,
                                                             const std::string& layer_name);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_CONFIG_H_
