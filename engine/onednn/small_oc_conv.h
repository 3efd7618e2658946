// A stride-1 Conv2D with at most four output channels (an RGB or grey output
// layer) as a host kernel writing plain NHWC f32. oneDNN 2.6 vectorizes its
// convolutions over output channels and pads them to a 16-lane block, so
// with 3 outputs it does 5.3x the multiply-adds; this kernel vectorizes over
// input channels instead and sums the lanes once per output pixel.
// It reads its input where it is, through offset tables (SmallOcInput):
// plain NHWC or oneDNN's nChw16c, in f32 or bf16 (widened exactly on load,
// so a bf16 producer needs no reorder to f32). Reading a phase convolution's
// output before its interleave the same way measured no faster.
// It needs AVX-512 (oneDNN's effective ISA, so ONEDNN_MAX_CPU_ISA limits it
// too) and whole 16-channel input blocks.
#ifndef GANSERVE_ENGINE_ONEDNN_SMALL_OC_CONV_H_
#define GANSERVE_ENGINE_ONEDNN_SMALL_OC_CONV_H_

#include <cstdint>
#include <vector>

#include "engine/ops/conv_geometry.h"
#include "engine/tensor.h"

namespace ganserve {

inline constexpr int64_t kSmallOcConvMaxOutputs = 4;
inline constexpr int64_t kSmallOcConvBlock = 16;  // input channels per load
inline constexpr int64_t kSmallOcConvMaxKernelWidth = 16;

struct SmallOcConvShape {
  int64_t batch = 0, in_h = 0, in_w = 0, ic = 0, oc = 0;
  int64_t kh = 0, kw = 0, pad_top = 0, pad_left = 0;
  int64_t out_h = 0, out_w = 0;
};

// Where input channels c .. c+15 of pixel (b, y, x) are (c a multiple of 16):
// elements b * batch + row[y] + col[x] + block[c / 16] onwards, consecutive.
struct SmallOcInput {
  int64_t batch = 0;
  std::vector<int64_t> row, col, block;
  bool bf16 = false;

  // Plain NHWC of an h x w x c image.
  static SmallOcInput Nhwc(int64_t h, int64_t w, int64_t c, bool bf16);
};

// True when the kernel computes this Conv2D (Keras kernel `kernel_shape`
// [kh, kw, in, out]) on this CPU: stride 1, no dilation, kw <= 16, oc <= 4,
// ic a multiple of 16, AVX-512.
bool SmallOcConvApplies(const ConvAttributes& attrs, const Dims& kernel_shape);

// The Keras kernel [kh, kw, in, out] as the kernel's [kh, kw, out, in].
std::vector<float> SmallOcConvWeights(const Dims& kernel_shape, const std::vector<float>& keras);

// out[b, y, x, o] = bias[o] + sum in[b, y + ky - pad_top, x + kx - pad_left, c] * w[ky, kx, o, c]
// (zeros outside the input), in parallel over output rows. Allocates nothing.
void SmallOcConv(const SmallOcConvShape& s, const SmallOcInput& layout, const void* in,
                 const float* weights, const float* bias, float* out);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_SMALL_OC_CONV_H_
