#include "engine/onednn/upsample_conv.h"

#include <algorithm>

namespace ganserve {

bool UpsampleConvApplies(const UpSampling2DOp& up, const ConvAttributes& attrs, int64_t kh,
                         int64_t kw) {
  if (up.interpolation() != Interpolation::kNearest) return false;
  if (up.size_h() * up.size_w() <= 1) return false;
  if (attrs.stride_h != 1 || attrs.stride_w != 1) return false;
  if (attrs.dilation_h != 1 || attrs.dilation_w != 1) return false;
  return UpsampleConvTaps(kh, up.size_h()) < kh || UpsampleConvTaps(kw, up.size_w()) < kw;
}

PhaseAxis UpsampleConvAxis(int64_t in, int64_t k, int64_t s, const AxisGeometry& g) {
  PhaseAxis a;
  a.stride = s;
  a.taps = UpsampleConvTaps(k, s);
  a.crop = (s - g.pad_begin % s) % s;
  a.first = 0;
  a.pad_begin = (a.crop + g.pad_begin) / s;
  const int64_t needed = (a.crop + g.out - 1) / s + 1;
  const int64_t natural = in + a.pad_begin - a.taps + 1;
  a.pad_end = std::max<int64_t>(needed - natural, 0);
  a.out = natural + a.pad_end;
  return a;
}

ExactPhase UpsampleConvExactPhase(int64_t in, int64_t k, int64_t s, const AxisGeometry& g,
                                  int64_t m) {
  // Result position o reads upsampled o - pad_begin + t, source pixel
  // floor((o - pad_begin + t) / s); its weight phase is (o - pad_begin) mod s.
  ExactPhase e;
  e.first = (m + g.pad_begin) % s;
  e.count = e.first < g.out ? (g.out - e.first + s - 1) / s : 0;
  const int64_t base = (e.first - g.pad_begin - m) / s;  // source of tap 0 at the first output
  e.pad_begin = -base;
  e.pad_end = e.count + base + UpsampleConvTaps(k, s) - 1 - in;
  return e;
}

void RewriteAsUpsampleConv(const Dims& kernel_shape, const PhaseAxis& rows, const PhaseAxis& cols,
                           LoweredNode& ln) {
  const int64_t kh = kernel_shape[0], kw = kernel_shape[1];
  const int64_t ic = kernel_shape[2], oc = kernel_shape[3];
  const int64_t sh = rows.stride, sw = cols.stride, th = rows.taps, tw = cols.taps;
  const int64_t phases = sh * sw;
  std::vector<float> w(phases * oc * ic * th * tw, 0.0f);  // {phases*oc, ic, th, tw}
  for (int64_t rh = 0; rh < sh; ++rh) {
    for (int64_t rw = 0; rw < sw; ++rw) {
      for (int64_t ky = 0; ky < kh; ++ky) {
        const int64_t y = (rh + ky) / sh;
        for (int64_t kx = 0; kx < kw; ++kx) {
          const int64_t x = (rw + kx) / sw;
          const float* src = &ln.weights[(ky * kw + kx) * ic * oc];  // [in][out]
          for (int64_t o = 0; o < oc; ++o) {
            const int64_t oo = (rh * sw + rw) * oc + o;
            for (int64_t i = 0; i < ic; ++i) {
              w[((oo * ic + i) * th + y) * tw + x] += src[i * oc + o];
            }
          }
        }
      }
    }
  }
  SetPhaseWeights(std::move(w), phases, ic, th, tw, ln);
}

}  // namespace ganserve
