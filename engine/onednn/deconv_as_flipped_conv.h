// A stride-1 Conv2DTranspose as a plain stride-1 Conv2D: out[y] sums
// in[y + crop - t] * k[t], which is the correlation of the zero-padded input
// with the kernel flipped, padded by k_eff - 1 - crop before and
// k_eff - 1 - (end crop) after. oneDNN 2.6 runs its stride-1 deconvolution
// (a backward-data kernel) several times slower than the same convolution.
#ifndef GANSERVE_ENGINE_ONEDNN_DECONV_AS_FLIPPED_CONV_H_
#define GANSERVE_ENGINE_ONEDNN_DECONV_AS_FLIPPED_CONV_H_

#include <cstdint>

#include "engine/onednn/lowering.h"
#include "engine/ops/conv_geometry.h"

namespace ganserve {

// The convolution's input padding along one axis of the transposed conv `g`.
struct FlippedPadding {
  int64_t begin = 0, end = 0;

  static FlippedPadding Of(int64_t k, int64_t dilation, const AxisGeometry& g);
  // oneDNN takes no negative padding (a crop deeper than the kernel).
  bool Valid() const { return begin >= 0 && end >= 0; }
};

// True when the stride is 1 on both axes and neither axis crops deeper than
// the kernel reaches.
bool FlippedConvApplies(const ConvAttributes& attrs, int64_t in_h, int64_t in_w, int64_t kh,
                        int64_t kw);

// Rewrites a kDeconv node's weights (Keras layout [kh, kw, out, in], any
// BatchNorm already folded) into the flipped {out, in, kh, kw} kernel.
void RewriteAsFlippedConv(const Dims& kernel_shape, LoweredNode& ln);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_DECONV_AS_FLIPPED_CONV_H_
