// Finds a layer's weight arrays in a Keras file, in Keras's own order
// (kernel, bias; gamma, beta, moving_mean, moving_variance; ...):
//  - legacy HDF5: the layer's group under model_weights/ and its
//    `weight_names` attribute, never a hard-coded path (savers differ);
//  - Keras v3 weights (.keras): `vars/<i>` under groups named after the
//    snake_case class name plus a per-class counter.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_WEIGHTS_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_WEIGHTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/loaders/keras_hdf5.h"
#include "engine/tensor.h"

namespace ganserve {

// One level of the path from the top model to a layer: its name (legacy
// HDF5) and its saving key, e.g. "conv2d_transpose_1" (.keras).
struct KerasLayerKey {
  std::string name;
  std::string zip_key;
};

class KerasWeightSource {
 public:
  virtual ~KerasWeightSource() = default;
  // `path` runs from a top-level layer down to the leaf layer (longer than one
  // only inside nested models).
  virtual absl::StatusOr<std::vector<Tensor>> LayerWeights(
      const std::vector<KerasLayerKey>& path) const = 0;
};

// `root` is the group holding the per-layer groups (model_weights/ or the
// file root of a weights-only layout); the file must outlive the source.
std::unique_ptr<KerasWeightSource> LegacyH5Weights(hid_t root);

// `root` is the file root of model.weights.h5 inside a .keras archive.
absl::StatusOr<std::unique_ptr<KerasWeightSource>> KerasV3Weights(hid_t root);

// Keras's snake_case of a class name: "Conv2DTranspose" -> "conv2d_transpose",
// "LeakyReLU" -> "leaky_re_lu".
std::string KerasSnakeCase(const std::string& class_name);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_WEIGHTS_H_
