// LayerNormalization over the trailing values of each sample, as the ops
// that run it: a (leading, normalized) view, InstanceNormalization of each
// of its rows (GroupNormalization of one row per group, without weights),
// and an element-wise scale and shift of the view's shape.
// ONNX's LayerNormalization and Keras's (axes that end the sample) both
// load as this chain; the caller views the result back to the sample shape.
#ifndef GANSERVE_ENGINE_OPS_LAYER_NORM_CHAIN_H_
#define GANSERVE_ENGINE_OPS_LAYER_NORM_CHAIN_H_

#include <memory>

#include "engine/op.h"

namespace ganserve {

struct LayerNormChain {
  std::shared_ptr<const Op> view;
  std::shared_ptr<const Op> normalize;
  std::shared_ptr<const Op> scale_shift;
};

// `scale` and `shift` hold leading x normalized values (shaped so);
// `trainable` is how many weights the file gave for them.
LayerNormChain MakeLayerNormChain(int64_t leading, int64_t normalized, float epsilon, Tensor scale,
                                  Tensor shift, int64_t trainable);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_LAYER_NORM_CHAIN_H_
