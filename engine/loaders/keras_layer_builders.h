// The registry that turns one Keras layer (class name + config + weights)
// into an engine op: an explicit table keyed by Keras class name, one
// builder function per class, split across keras_layers_*.cc by kind.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_LAYER_BUILDERS_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_LAYER_BUILDERS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/activation.h"
#include "engine/op.h"
#include "engine/ops/upsampling2d.h"
#include "engine/tensor.h"

namespace ganserve {

// What the saving Keras changes in a layer's meaning (see KERAS.md).
struct KerasDialect {
  CoordinateMode bilinear_mode = CoordinateMode::kHalfPixel;
  int keras_major = 3;  // hard_sigmoid's slope differs before Keras 3
};

struct KerasLayerContext {
  std::string name;
  std::string class_name;
  const nlohmann::json& config;
  std::vector<Dims> inputs;     // per-sample shapes of the producers
  std::vector<Tensor> weights;  // in Keras order, as the file stores them
  KerasDialect dialect;
  // Ops a builder adds after the layer's own op, in order, each named
  // "<layer>/<suffix>": the layer's activation when no Dense or Conv can fuse
  // it (softmax and log_softmax are not element-wise), or the rest of a
  // layer that takes several ops.
  struct FollowingOp {
    std::string suffix;
    std::shared_ptr<const Op> op;
  };
  std::vector<FollowingOp> then;

  // "layer 'dense_1' (Dense): <what>", as InvalidArgument.
  absl::Status Error(const std::string& what) const;
  absl::Status Unsupported(const std::string& what) const;

  // Typed config getters; a missing key takes `fallback`, a wrong type is an error.
  absl::StatusOr<int64_t> Int(const char* key, int64_t fallback) const;
  absl::StatusOr<float> Float(const char* key, float fallback) const;
  absl::StatusOr<bool> Bool(const char* key, bool fallback) const;
  absl::StatusOr<std::string> String(const char* key, const std::string& fallback) const;
  // An int or a list of ints (Keras's normalize_tuple).
  absl::StatusOr<std::vector<int64_t>> Ints(const char* key, std::vector<int64_t> fallback,
                                            size_t n) const;
  // The activation config[key] gives: a Keras activation name, a Keras 3
  // serialized function, or a serialized activation layer (LeakyReLU,
  // ReLU, ...). Softmax and log_softmax come back as linear with `then` set.
  absl::StatusOr<Activation> ActivationAt(const char* key);
  absl::StatusOr<Activation> NamedActivation(const std::string& name);
  absl::StatusOr<Activation> SerializedActivation(const char* key, const nlohmann::json& object);
  // Refuses data_format "channels_first": the graph IR is channels-last.
  absl::Status RequireChannelsLast() const;
  // Checks the weight count against `names` (the expected arrays, in order)
  // and each array's shape against `shapes` (empty Dims = not checked).
  absl::Status ExpectWeights(const std::vector<std::string>& names,
                             const std::vector<Dims>& shapes) const;
  // Per-sample axis for a Keras full-rank axis (batch is axis 0; negative
  // counts from the end) on an input of `rank` per-sample axes.
  absl::StatusOr<int> SampleAxis(int64_t keras_axis, size_t rank) const;
};

using KerasLayerBuilder = absl::StatusOr<std::shared_ptr<const Op>> (*)(KerasLayerContext&);

struct KerasLayerEntry {
  const char* class_name;
  KerasLayerBuilder build;
};

// nullptr for a class we cannot build.
KerasLayerBuilder FindKerasLayerBuilder(const std::string& class_name);

// The per-kind tables, concatenated by FindKerasLayerBuilder.
std::vector<KerasLayerEntry> KerasWeightedLayers();  // keras_layers_weighted.cc
std::vector<KerasLayerEntry> KerasShapeLayers();     // keras_layers_shape.cc

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_LAYER_BUILDERS_H_
