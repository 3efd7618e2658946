#include "engine/onednn/deconv_as_flipped_conv.h"

#include <utility>
#include <vector>

namespace ganserve {

FlippedPadding FlippedPadding::Of(int64_t k, int64_t dilation, const AxisGeometry& g) {
  const int64_t reach = EffectiveKernel(k, dilation) - 1;
  return {.begin = reach - g.pad_begin, .end = reach - g.pad_end};
}

bool FlippedConvApplies(const ConvAttributes& attrs, int64_t in_h, int64_t in_w, int64_t kh,
                        int64_t kw) {
  return attrs.stride_h == 1 && attrs.stride_w == 1 &&
         FlippedPadding::Of(kh, attrs.dilation_h, attrs.TransposedRows(in_h, kh)).Valid() &&
         FlippedPadding::Of(kw, attrs.dilation_w, attrs.TransposedCols(in_w, kw)).Valid();
}

void RewriteAsFlippedConv(const Dims& kernel_shape, LoweredNode& ln) {
  const int64_t kh = kernel_shape[0], kw = kernel_shape[1];
  const int64_t oc = kernel_shape[2], ic = kernel_shape[3];
  std::vector<float> w(oc * ic * kh * kw);  // {oc, ic, kh, kw}
  for (int64_t y = 0; y < kh; ++y) {
    for (int64_t x = 0; x < kw; ++x) {
      const float* src = &ln.weights[((kh - 1 - y) * kw + (kw - 1 - x)) * oc * ic];  // [out][in]
      for (int64_t o = 0; o < oc; ++o) {
        for (int64_t i = 0; i < ic; ++i) w[((o * ic + i) * kh + y) * kw + x] = src[o * ic + i];
      }
    }
  }
  ln.kind = LoweredKind::kFlippedConv;
  ln.weights = std::move(w);
  ln.weight_dims = {oc, ic, kh, kw};
  ln.weight_strides = {ic * kh * kw, kh * kw, kw, 1};
}

}  // namespace ganserve
