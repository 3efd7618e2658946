#include "engine/onednn/deconv_as_conv.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ganserve {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The kernel taps along one axis that land on a single output phase.
int64_t TapsPerPhase(int64_t k, int64_t stride) { return CeilDiv(k, stride); }

}  // namespace

bool DeconvAsConvApplies(const ConvAttributes& attrs, int64_t kh, int64_t kw) {
  return (attrs.stride_h > 1 || attrs.stride_w > 1) && attrs.dilation_h == 1 &&
         attrs.dilation_w == 1 && kh >= attrs.stride_h && kw >= attrs.stride_w;
}

void RewriteAsPhaseConv(const Dims& kernel_shape, int64_t stride_h, int64_t stride_w,
                        LoweredNode& ln) {
  const int64_t kh = kernel_shape[0], kw = kernel_shape[1];
  const int64_t oc = kernel_shape[2], ic = kernel_shape[3];
  const int64_t th = TapsPerPhase(kh, stride_h), tw = TapsPerPhase(kw, stride_w);
  const int64_t phases = stride_h * stride_w;
  std::vector<float> w(phases * oc * ic * th * tw, 0.0f);  // {phases*oc, ic, th, tw}
  for (int64_t rh = 0; rh < stride_h; ++rh) {
    for (int64_t rw = 0; rw < stride_w; ++rw) {
      for (int64_t y = 0; y < th; ++y) {
        // Tap y of the correlation is kernel row rh + s*(th-1-y): flipped.
        const int64_t ky = rh + stride_h * (th - 1 - y);
        if (ky >= kh) continue;
        for (int64_t x = 0; x < tw; ++x) {
          const int64_t kx = rw + stride_w * (tw - 1 - x);
          if (kx >= kw) continue;
          const float* src = &ln.weights[(ky * kw + kx) * oc * ic];  // [out][in]
          for (int64_t o = 0; o < oc; ++o) {
            const int64_t oo = (rh * stride_w + rw) * oc + o;
            for (int64_t i = 0; i < ic; ++i) w[((oo * ic + i) * th + y) * tw + x] = src[o * ic + i];
          }
        }
      }
    }
  }
  SetPhaseWeights(std::move(w), phases, ic, th, tw, ln);
}

void SetPhaseWeights(std::vector<float> weights, int64_t phases, int64_t ic, int64_t th, int64_t tw,
                     LoweredNode& ln) {
  const int64_t oc = static_cast<int64_t>(ln.bias.size());
  ln.weights = std::move(weights);
  ln.weight_dims = {phases * oc, ic, th, tw};
  ln.weight_strides = {ic * th * tw, th * tw, tw, 1};
  std::vector<float> bias;
  for (int64_t p = 0; p < phases; ++p) bias.insert(bias.end(), ln.bias.begin(), ln.bias.end());
  ln.bias = std::move(bias);
}

PhaseAxis PhaseAxis::Of(int64_t in, int64_t k, int64_t stride, const AxisGeometry& g) {
  PhaseAxis a;
  a.stride = stride;
  a.taps = TapsPerPhase(k, stride);
  a.crop = g.pad_begin;
  const int64_t q_lo = g.pad_begin / stride, q_hi = (g.pad_begin + g.out - 1) / stride;
  // Output q reads inputs q - taps + 1 .. q: start at q_lo, or earlier when
  // that would need negative input padding (cropped away afterwards).
  a.first = std::min(q_lo, a.taps - 1);
  a.pad_begin = a.taps - 1 - a.first;
  const int64_t natural = in + a.pad_begin - a.taps + 1;
  // Rows past the input (output_padding, bias-only rows) come from padding.
  a.pad_end = std::max<int64_t>(q_hi - a.first + 1 - natural, 0);
  a.out = natural + a.pad_end;
  return a;
}

ExactPhase ExactPhase::Of(int64_t in, int64_t k, int64_t stride, const AxisGeometry& g,
                          int64_t phase) {
  ExactPhase e;
  const int64_t taps = TapsPerPhase(k, stride);
  e.first = ((phase - g.pad_begin) % stride + stride) % stride;
  e.count = e.first < g.out ? CeilDiv(g.out - e.first, stride) : 0;
  const int64_t q_lo = (e.first + g.pad_begin) / stride;
  e.pad_begin = taps - 1 - q_lo;
  e.pad_end = q_lo + e.count - in;
  return e;
}

bool PerPhasePays(const PhaseAxis& rows, const PhaseAxis& cols, int64_t kh, int64_t kw,
                  int64_t out_h, int64_t out_w) {
  if (kh % rows.stride != 0 || kw % cols.stride != 0) return false;
  return DiscardPays(rows, cols, out_h, out_w);
}

bool DiscardPays(const PhaseAxis& rows, const PhaseAxis& cols, int64_t out_h, int64_t out_w) {
  const double computed = static_cast<double>(rows.stride * rows.out * cols.stride * cols.out);
  return 1.0 - static_cast<double>(out_h * out_w) / computed >= 0.1;
}

namespace {

// Calls copy_row(b, k, y) for every sample, channel run and result row, in parallel.
template <typename CopyRow>
void ForEachRow(int64_t batch, int64_t blocks, int64_t height, CopyRow copy_row) {
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t k = 0; k < blocks; ++k) {
      for (int64_t y = 0; y < height; ++y) copy_row(b, k, y);
    }
  }
}

// Copies `count` runs of `bytes` from `in` + in_offset[x] elements of `e`
// bytes (or x * in_step bytes) to `out` + x * out_step bytes; kBytes > 0 is
// `bytes` as a constant, so a copy is a few vector moves, not a library call.
template <size_t kBytes>
inline void CopyRuns(char* out, int64_t out_step, const char* in, const int64_t* in_offset,
                     size_t e, int64_t in_step, int64_t count, size_t bytes) {
  for (int64_t x = 0; x < count; ++x) {
    const char* from = in + (in_offset ? in_offset[x] * static_cast<int64_t>(e) : x * in_step);
    std::memcpy(out + x * out_step, from, kBytes > 0 ? kBytes : bytes);
  }
}

using CopyRunsFn = void (*)(char*, int64_t, const char*, const int64_t*, size_t, int64_t, int64_t,
                            size_t);

// CopyRuns' signature, but each run is bytes / 2 bf16 values written as
// f32 (exact: bf16 is the top half of an f32).
template <size_t kBytes>
inline void WidenRuns(char* out, int64_t out_step, const char* in, const int64_t* in_offset,
                      size_t e, int64_t in_step, int64_t count, size_t bytes) {
  const size_t n = (kBytes > 0 ? kBytes : bytes) / sizeof(uint16_t);
  for (int64_t x = 0; x < count; ++x) {
    const char* from = in + (in_offset ? in_offset[x] * static_cast<int64_t>(e) : x * in_step);
    char* to = out + x * out_step;
    size_t j = 0;
    // Interleaving zeros below each bf16 value makes it the f32 (SSE2, on every x86-64).
    for (; j + 8 <= n; j += 8) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + j * 2));
      const __m128i zero = _mm_setzero_si128();
      _mm_storeu_si128(reinterpret_cast<__m128i*>(to + j * 4), _mm_unpacklo_epi16(zero, v));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(to + j * 4 + 16), _mm_unpackhi_epi16(zero, v));
    }
    for (; j < n; ++j) {
      uint16_t v;
      std::memcpy(&v, from + j * sizeof(v), sizeof(v));
      const uint32_t wide = static_cast<uint32_t>(v) << 16;
      std::memcpy(to + j * sizeof(wide), &wide, sizeof(wide));
    }
  }
}

CopyRunsFn WidenRunsFor(size_t bytes) { return bytes == 32 ? WidenRuns<32> : WidenRuns<0>; }

CopyRunsFn CopyRunsFor(size_t bytes) {
  switch (bytes) {
    case 32:
      return CopyRuns<32>;
    case 64:
      return CopyRuns<64>;
    case 128:
      return CopyRuns<128>;
    default:
      return CopyRuns<0>;
  }
}

}  // namespace

void PhaseToSpace(const OnePhaseCopy& copy, const void* src, void* dst) {
  const size_t e = copy.element_bytes;
  const size_t eo = copy.widen ? sizeof(float) : e;
  const size_t bytes = copy.run * e;
  const CopyRunsFn copy_runs = copy.widen ? WidenRunsFor(bytes) : CopyRunsFor(bytes);
  const char* from = static_cast<const char*>(src);
  char* to = static_cast<char*>(dst);
  const int64_t step = copy.stride_w * copy.dst.x;
  ForEachRow(copy.batch, copy.blocks, copy.rows.count, [&](int64_t b, int64_t k, int64_t y) {
    const char* in = from + e * (b * copy.src.n + k * copy.src.block + y * copy.src.y);
    char* out = to + eo * (b * copy.dst.n + k * copy.dst.block +
                           (copy.rows.first + y * copy.stride_h) * copy.dst.y +
                           copy.cols.first * copy.dst.x);
    copy_runs(out, eo * step, in, nullptr, e, e * copy.src.x, copy.cols.count, bytes);
  });
}

void SetColumnOffsets(PhaseCopy& copy) {
  copy.col_offset.resize(copy.width);
  for (int64_t x = 0; x < copy.width; ++x) {
    copy.col_offset[x] = copy.cols.Index(x) * copy.src.x + copy.cols.Phase(x) * copy.src.phase;
  }
}

void PhasesToSpace(const PhaseCopy& copy, const void* src, void* dst) {
  const PhaseAxis& rows = copy.rows;
  const PhaseAxis& cols = copy.cols;
  const size_t e = copy.element_bytes;
  const size_t eo = copy.widen ? sizeof(float) : e;
  const size_t bytes = copy.run * e;
  const CopyRunsFn copy_runs = copy.widen ? WidenRunsFor(bytes) : CopyRunsFor(bytes);
  const char* from = static_cast<const char*>(src);
  char* to = static_cast<char*>(dst);
  ForEachRow(copy.batch, copy.blocks, copy.height, [&](int64_t b, int64_t k, int64_t y) {
    const char* in = from + e * (b * copy.src.n + k * copy.src.block + rows.Index(y) * copy.src.y +
                                 rows.Phase(y) * cols.stride * copy.src.phase);
    char* out = to + eo * (b * copy.dst.n + k * copy.dst.block + y * copy.dst.y);
    copy_runs(out, eo * copy.dst.x, in, copy.col_offset.data(), e, 0, copy.width, bytes);
  });
}

}  // namespace ganserve
