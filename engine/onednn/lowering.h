// Decides, once per graph, how each node runs on oneDNN: which primitive,
// which nodes fold into a preceding conv/deconv/dense (BatchNorm weights,
// activations as post-ops), and which fall back to the op's plain-layout
// reference kernel. Weights are prepared here (folded, in oneDNN's logical
// order described by explicit strides) so every batch-size plan shares them.
#ifndef GANSERVE_ENGINE_ONEDNN_LOWERING_H_
#define GANSERVE_ENGINE_ONEDNN_LOWERING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "dnnl.hpp"
#include "engine/activation.h"
#include "engine/graph.h"

namespace ganserve {

enum class LoweredKind {
  kInput,
  kAlias,         // shares the value of `source` (absorbed or identity)
  kConv,          // Conv2D
  kDeconv,        // Conv2DTranspose
  kDeconvAsConv,  // strided Conv2DTranspose as a phase convolution (deconv_as_conv.h)
  kUpsampleConv,  // nearest UpSampling2D + Conv2D as a phase convolution (upsample_conv.h)
  kDeconvAsGemm,  // narrow strided Conv2DTranspose as a product + col2im (deconv_as_gemm.h)
  kFlippedConv,   // stride-1 Conv2DTranspose as a Conv2D (deconv_as_flipped_conv.h)
  kSmallOcConv,   // Conv2D with at most 4 outputs on a host kernel (small_oc_conv.h)
  kDense,         // inner product on the last axis
  kBatchNorm,     // unfolded, channel axis last
  kActivation,    // standalone eltwise chain
  kResample,      // UpSampling2D through the resampling primitive
  kTranspose,     // Transpose as a reorder between plain layouts
  kReference,     // the op's RunReference on plain row-major buffers
};

struct LoweredNode {
  LoweredKind kind = LoweredKind::kReference;
  int source = -1;  // kAlias only

  // kConv / kDeconv / kDeconvAsConv / kDeconvAsGemm / kFlippedConv / kDense:
  // (kSmallOcConv: the weights in small_oc_conv.h's order, weight_dims unused) weights with folded
  // BatchNorm, in oneDNN's logical dims ({oc, ic, kh, kw} or {oc, ic}) with strides into the Keras
  // layout.
  std::vector<float> weights;
  dnnl::memory::dims weight_dims, weight_strides;
  std::vector<float> bias;  // always present (zeros when the layer had none)
  // Applied in order after the bias: the layer's own activation, then any
  // Activation layers absorbed after it (after the folded BatchNorm).
  std::vector<Activation> activations;

  // kBatchNorm: oneDNN's {gamma; beta} rows, mean and variance.
  std::vector<float> scale_shift, mean, variance;
  float epsilon = 0.0f;

  // kResample
  dnnl::algorithm resampling = dnnl::algorithm::resampling_nearest;
};

std::vector<LoweredNode> LowerGraph(const Graph& graph);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_LOWERING_H_
