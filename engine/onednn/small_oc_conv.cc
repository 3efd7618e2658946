#include "engine/onednn/small_oc_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <type_traits>

#include "dnnl.hpp"

namespace ganserve {
namespace {

constexpr int64_t kLanes = kSmallOcConvBlock;

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

// 16 input channels at `p`, f32 or bf16 widened (a bf16 is the top half of
// its f32); zeros where `valid` is 0 (a masked load reads nothing there).
template <bool kBf16, bool kMasked, typename T>
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512 Load16(const T* p,
                                                                          __mmask16 valid) {
  if constexpr (kBf16) {
    const __m256i h = kMasked ? _mm256_maskz_loadu_epi16(valid, p)
                              : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  } else {
    return kMasked ? _mm512_maskz_loadu_ps(valid, p) : _mm512_loadu_ps(p);
  }
}

// Adds one kernel tap's products for the P pixels at px[p] to acc; a pixel
// outside the input (valid[p] = 0) reads zeros.
template <bool kBf16, bool kMasked, int OC, int P, typename T>
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline void AddTap(const T* const* px,
                                                                        const __mmask16* valid,
                                                                        const int64_t* block,
                                                                        const float* w, int64_t ic,
                                                                        __m512 (&acc)[P][OC]) {
  for (int64_t c = 0, j = 0; c < ic; c += kLanes, ++j) {
    __m512 wv[OC];
    for (int o = 0; o < OC; ++o) wv[o] = _mm512_loadu_ps(w + o * ic + c);
    for (int p = 0; p < P; ++p) {
      const __m512 v = Load16<kBf16, kMasked>(px[p] + block[j], valid[p]);
      for (int o = 0; o < OC; ++o) acc[p][o] = _mm512_fmadd_ps(v, wv[o], acc[p][o]);
    }
  }
}

// One output row: groups of P = 16 / OC pixels, whose P * OC sums are
// consecutive in NHWC and leave the reduction as one vector.
template <bool kBf16, int OC>
__attribute__((target("avx512f,avx512bw,avx512vl"))) void ConvRow(const SmallOcConvShape& s,
                                                                  const SmallOcInput& l,
                                                                  const void* in, const float* w,
                                                                  const float* bias, int64_t b,
                                                                  int64_t y, float* out) {
  using T = std::conditional_t<kBf16, uint16_t, float>;
  constexpr int P = kLanes / OC;
  float bias_lanes[kLanes] = {};
  for (int k = 0; k < P * OC; ++k) bias_lanes[k] = bias[k % OC];
  const __m512 bias_v = _mm512_loadu_ps(bias_lanes);
  const int64_t window = P + s.kw - 1;  // input pixels a group's taps read per kernel row
  for (int64_t x0 = 0; x0 < s.out_w; x0 += P) {
    const int64_t np = std::min<int64_t>(P, s.out_w - x0);
    __m512 acc[P][OC];
    for (auto& pixel : acc) {
      for (auto& a : pixel) a = _mm512_setzero_ps();
    }
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const int64_t iy = y + ky - s.pad_top;
      if (iy < 0 || iy >= s.in_h) continue;
      const T* row = static_cast<const T*>(in) + b * l.batch + l.row[iy];
      const T* px[kLanes + kSmallOcConvMaxKernelWidth];
      __mmask16 valid[kLanes + kSmallOcConvMaxKernelWidth];
      bool interior = true;
      for (int64_t j = 0; j < window; ++j) {
        const int64_t ix = x0 + j - s.pad_left;
        const bool inside = ix >= 0 && ix < s.in_w;
        px[j] = row + (inside ? l.col[ix] : 0);
        valid[j] = inside ? 0xFFFF : 0;
        interior = interior && inside;
      }
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const float* wt = w + (ky * s.kw + kx) * OC * s.ic;
        if (interior) {
          AddTap<kBf16, false, OC, P>(px + kx, valid + kx, l.block.data(), wt, s.ic, acc);
        } else {
          AddTap<kBf16, true, OC, P>(px + kx, valid + kx, l.block.data(), wt, s.ic, acc);
        }
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

template <bool kBf16, int OC>
void ConvAll(const SmallOcConvShape& s, const SmallOcInput& l, const void* in, const float* w,
             const float* bias, float* out) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t y = 0; y < s.out_h; ++y) ConvRow<kBf16, OC>(s, l, in, w, bias, b, y, out);
  }
}

template <bool kBf16>
void ConvAny(const SmallOcConvShape& s, const SmallOcInput& l, const void* in, const float* w,
             const float* bias, float* out) {
  switch (s.oc) {
    case 1:
      return ConvAll<kBf16, 1>(s, l, in, w, bias, out);
    case 2:
      return ConvAll<kBf16, 2>(s, l, in, w, bias, out);
    case 3:
      return ConvAll<kBf16, 3>(s, l, in, w, bias, out);
    default:
      return ConvAll<kBf16, 4>(s, l, in, w, bias, out);
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
         kernel_shape[1] <= kSmallOcConvMaxKernelWidth && attrs.dilation_w == 1 &&
         kernel_shape[3] <= kSmallOcConvMaxOutputs && kernel_shape[2] % kLanes == 0 && HasAvx512();
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

SmallOcInput SmallOcInput::Nhwc(int64_t h, int64_t w, int64_t c, bool bf16) {
  SmallOcInput l;
  l.batch = h * w * c;
  l.bf16 = bf16;
  for (int64_t y = 0; y < h; ++y) l.row.push_back(y * w * c);
  for (int64_t x = 0; x < w; ++x) l.col.push_back(x * c);
  for (int64_t k = 0; k < c; k += kLanes) l.block.push_back(k);
  return l;
}

void SmallOcConv(const SmallOcConvShape& s, const SmallOcInput& layout, const void* in,
                 const float* weights, const float* bias, float* out) {
  if (layout.bf16) return ConvAny<true>(s, layout, in, weights, bias, out);
  ConvAny<false>(s, layout, in, weights, bias, out);
}

}  // namespace ganserve
