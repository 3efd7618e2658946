#include "engine/ops/conv_geometry.h"

#include <algorithm>

namespace ganserve {

AxisGeometry ConvAxis(int64_t in, int64_t k, int64_t stride, int64_t dilation, Padding padding,
                      int64_t pad_begin, int64_t pad_end) {
  const int64_t k_eff = EffectiveKernel(k, dilation);
  AxisGeometry g;
  switch (padding) {
    case Padding::kValid:
      break;
    case Padding::kSame: {
      const int64_t out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>((out - 1) * stride + k_eff - in, 0);
      g.pad_begin = total / 2;
      g.pad_end = total - g.pad_begin;
      break;
    }
    case Padding::kExplicit:
      g.pad_begin = pad_begin;
      g.pad_end = pad_end;
      break;
  }
  const int64_t span = in + g.pad_begin + g.pad_end - k_eff;
  g.out = span < 0 ? 0 : span / stride + 1;
  return g;
}

AxisGeometry TransposedConvAxis(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                                Padding padding, int64_t output_padding, int64_t pad_begin,
                                int64_t pad_end) {
  const int64_t k_eff = EffectiveKernel(k, dilation);
  const int64_t full = (in - 1) * stride + k_eff;
  AxisGeometry g;
  if (padding == Padding::kExplicit) {
    g.out = full - pad_begin - pad_end + std::max<int64_t>(output_padding, 0);
    g.pad_begin = pad_begin;
  } else {
    const bool same = padding == Padding::kSame;
    if (output_padding >= 0) {
      const int64_t pad = same ? k_eff / 2 : 0;
      g.out = full - 2 * pad + output_padding;
    } else {
      g.out = same ? in * stride : in * stride + std::max<int64_t>(k_eff - stride, 0);
    }
    // TensorFlow places the result as the input gradient of a forward conv
    // of length g.out: 'same' pads floor(total/2) before, the rest after.
    g.pad_begin = same ? std::max<int64_t>(full - g.out, 0) / 2 : 0;
  }
  g.pad_end = full - g.pad_begin - g.out;
  return g;
}

}  // namespace ganserve
