// Maps the engine's Activation kinds to chains of oneDNN eltwise operations,
// so activations can run as post-ops of conv/deconv/inner-product or as
// standalone eltwise primitives.
#ifndef GANSERVE_ENGINE_ONEDNN_ELTWISE_MAPPING_H_
#define GANSERVE_ENGINE_ONEDNN_ELTWISE_MAPPING_H_

#include <optional>
#include <vector>

#include "dnnl.hpp"
#include "engine/activation.h"

namespace ganserve {

struct EltwiseSpec {
  dnnl::algorithm algorithm;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// The eltwise chain equal to `activation` (empty for linear), or nullopt
// when oneDNN has no exact equivalent (ReLU with a non-zero threshold).
std::optional<std::vector<EltwiseSpec>> ToEltwise(const Activation& activation);

// True when every activation maps to eltwise operations.
bool AllExpressible(const std::vector<Activation>& activations);

// Appends the chains of `activations` (all expressible) to `post_ops`.
void AppendPostOps(const std::vector<Activation>& activations, dnnl::post_ops& post_ops);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_ELTWISE_MAPPING_H_
