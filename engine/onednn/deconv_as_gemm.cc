#include "engine/onednn/deconv_as_gemm.h"

#include <algorithm>

#include "engine/onednn/deconv_as_conv.h"

namespace ganserve {

bool GemmCol2ImPays(const ConvAttributes& attrs, int64_t in_h, int64_t in_w, int64_t kh, int64_t kw,
                    int64_t oc) {
  if (!DeconvAsConvApplies(attrs, kh, kw) || kh * kw * oc > kGemmCol2ImMaxColumns) return false;
  const PhaseAxis rows = PhaseAxis::Of(in_h, kh, attrs.stride_h, attrs.TransposedRows(in_h, kh));
  const PhaseAxis cols = PhaseAxis::Of(in_w, kw, attrs.stride_w, attrs.TransposedCols(in_w, kw));
  // Per (input channel, output channel) pair.
  const int64_t phase_macs =
      attrs.stride_h * attrs.stride_w * rows.taps * cols.taps * rows.out * cols.out;
  const int64_t exact_macs = in_h * in_w * kh * kw;
  return 2 * phase_macs >= 3 * exact_macs;
}

void Col2Im(const Col2ImShape& s, const float* cols, const float* bias, float* out) {
  const int64_t oc = s.oc, row = s.kh * s.kw * oc;
  for (int64_t b = 0; b < s.batch; ++b) {
    float* image = out + b * s.out_h * s.out_w * oc;
    for (int64_t p = 0; p < s.out_h * s.out_w; ++p) std::copy_n(bias, oc, image + p * oc);
    for (int64_t iy = 0; iy < s.in_h; ++iy) {
      for (int64_t ix = 0; ix < s.in_w; ++ix) {
        const float* col = cols + ((b * s.in_h + iy) * s.in_w + ix) * row;
        for (int64_t ky = 0; ky < s.kh; ++ky) {
          const int64_t oy = iy * s.stride_h + ky - s.pad_top;
          if (oy < 0 || oy >= s.out_h) continue;
          for (int64_t kx = 0; kx < s.kw; ++kx) {
            const int64_t ox = ix * s.stride_w + kx - s.pad_left;
            if (ox < 0 || ox >= s.out_w) continue;
            const float* from = col + (ky * s.kw + kx) * oc;
            float* to = image + (oy * s.out_w + ox) * oc;
            for (int64_t o = 0; o < oc; ++o) to[o] += from[o];
          }
        }
      }
    }
  }
}

}  // namespace ganserve
