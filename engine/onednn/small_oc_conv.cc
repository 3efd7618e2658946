#include "engine/onednn/small_oc_conv.h"

#include <immintrin.h>

#include <algorithm>

#include "dnnl.hpp"

namespace ganserve {
namespace {

constexpr int64_t kLanes = 16;

// Lane k of the result is the sum of the lanes of v[k].
__attribute__((target("avx512f"))) __m512 SumEach(const __m512 (&v)[kLanes]) {
  __m512 pairs[8], quads[4], halves[2];
  for (int i = 0; i < 8; ++i) {
    pairs[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]),
                             _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
  }
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(pairs[2 * i]), b = _mm512_castps_pd(pairs[2 * i + 1]);
    quads[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)),
                             _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
  }
  for (int i = 0; i < 2; ++i) {
    halves[i] = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2 * i], quads[2 * i + 1], 0x88),
                              _mm512_shuffle_f32x4(quads[2 * i], quads[2 * i + 1], 0xDD));
  }
  return _mm512_add_ps(_mm512_shuffle_f32x4(halves[0], halves[1], 0x88),
                       _mm512_shuffle_f32x4(halves[0], halves[1], 0xDD));
}

// Adds one kernel tap's products for the P pixels at src[p] to acc.
template <int OC, int P>
__attribute__((target("avx512f"))) inline void AddTap(const float* const (&src)[P], const float* w,
                                                      int64_t ic, __m512 (&acc)[P][OC]) {
  for (int64_t c = 0; c < ic; c += kLanes) {
    __m512 wv[OC];
    for (int o = 0; o < OC; ++o) wv[o] = _mm512_loadu_ps(w + o * ic + c);
    for (int p = 0; p < P; ++p) {
      const __m512 v = _mm512_loadu_ps(src[p] + c);
      for (int o = 0; o < OC; ++o) acc[p][o] = _mm512_fmadd_ps(v, wv[o], acc[p][o]);
    }
  }
}

// One output row: groups of P = 16 / OC pixels, whose P * OC sums are
// consecutive in NHWC and leave the reduction as one vector.
template <int OC>
__attribute__((target("avx512f"))) void ConvRow(const SmallOcConvShape& s, const float* in,
                                                const float* w, const float* bias,
                                                const float* zeros, int64_t b, int64_t y,
                                                float* out) {
  constexpr int P = kLanes / OC;
  float bias_lanes[kLanes] = {};
  for (int k = 0; k < P * OC; ++k) bias_lanes[k] = bias[k % OC];
  const __m512 bias_v = _mm512_loadu_ps(bias_lanes);
  for (int64_t x0 = 0; x0 < s.out_w; x0 += P) {
    const int64_t np = std::min<int64_t>(P, s.out_w - x0);
    // Every tap of every pixel of the group reads inside the row.
    const bool interior =
        np == P && x0 - s.pad_left >= 0 && x0 + P - 1 + s.kw - 1 - s.pad_left < s.in_w;
    __m512 acc[P][OC];
    for (auto& pixel : acc) {
      for (auto& a : pixel) a = _mm512_setzero_ps();
    }
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const int64_t iy = y + ky - s.pad_top;
      if (iy < 0 || iy >= s.in_h) continue;
      const float* row = in + (b * s.in_h + iy) * s.in_w * s.ic;
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const float* src[P];
        for (int p = 0; p < P; ++p) {
          const int64_t ix = x0 + p + kx - s.pad_left;
          src[p] = interior || (p < np && ix >= 0 && ix < s.in_w) ? row + ix * s.ic : zeros;
        }
        AddTap<OC, P>(src, w + (ky * s.kw + kx) * OC * s.ic, s.ic, acc);
      }
    }
    __m512 sums[kLanes];
    for (int k = 0; k < kLanes; ++k)
      sums[k] = k < P * OC ? acc[k / OC][k % OC] : _mm512_setzero_ps();
    const __mmask16 mask = static_cast<__mmask16>((1u << (np * OC)) - 1);
    _mm512_mask_storeu_ps(out + ((b * s.out_h + y) * s.out_w + x0) * OC, mask,
                          _mm512_add_ps(SumEach(sums), bias_v));
  }
}

template <int OC>
void ConvAll(const SmallOcConvShape& s, const float* in, const float* w, const float* bias,
             const float* zeros, float* out) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t y = 0; y < s.out_h; ++y) ConvRow<OC>(s, in, w, bias, zeros, b, y, out);
  }
}

// The ISA values are bit sets: AVX2-VNNI is numerically above AVX-512.
bool HasAvx512() {
  const auto want = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & want) == want;
}

}  // namespace

bool SmallOcConvApplies(const ConvAttributes& attrs, const Dims& kernel_shape) {
  return attrs.stride_h == 1 && attrs.stride_w == 1 && attrs.dilation_h == 1 &&
         attrs.dilation_w == 1 && kernel_shape[3] <= kSmallOcConvMaxOutputs &&
         kernel_shape[2] % kLanes == 0 && HasAvx512();
}

std::vector<float> SmallOcConvWeights(const Dims& kernel_shape, const std::vector<float>& keras) {
  const int64_t taps = kernel_shape[0] * kernel_shape[1], ic = kernel_shape[2],
                oc = kernel_shape[3];
  std::vector<float> w(keras.size());
  for (int64_t t = 0; t < taps; ++t) {
    for (int64_t c = 0; c < ic; ++c) {
      for (int64_t o = 0; o < oc; ++o) w[(t * oc + o) * ic + c] = keras[(t * ic + c) * oc + o];
    }
  }
  return w;
}

void SmallOcConv(const SmallOcConvShape& s, const float* in, const float* weights,
                 const float* bias, const float* zeros, float* out) {
  switch (s.oc) {
    case 1:
      return ConvAll<1>(s, in, weights, bias, zeros, out);
    case 2:
      return ConvAll<2>(s, in, weights, bias, zeros, out);
    case 3:
      return ConvAll<3>(s, in, weights, bias, zeros, out);
    default:
      return ConvAll<4>(s, in, weights, bias, zeros, out);
  }
}

}  // namespace ganserve
