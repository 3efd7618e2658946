// A strided Conv2DTranspose with few output channels as one matrix product
// and a scatter (col2im): for every input pixel p,
//   cols[p, (ky*kw + kx)*oc + o] = sum_c in[p, c] * kernel[ky, kx, o, c],
// then column (ky, kx, o) of p is added to output pixel
// (iy*sh + ky - pad_top, ix*sw + kx - pad_left), channel o, on top of the bias.
// It does exactly the multiply-adds of the transposed convolution; the phase
// convolution (deconv_as_conv.h) of a k that is not a multiple of s pads
// every phase to ceil(k/s) taps and computes (in+1) outputs per phase and
// axis, and with a handful of output channels oneDNN's convolution cannot
// fill its vectors to make up for that.
#ifndef GANSERVE_ENGINE_ONEDNN_DECONV_AS_GEMM_H_
#define GANSERVE_ENGINE_ONEDNN_DECONV_AS_GEMM_H_

#include <cstdint>

#include "engine/ops/conv_geometry.h"

namespace ganserve {

// Product columns per input pixel (kh*kw*oc) up to which the product and
// scatter beat the phase convolution: one AVX-512 vector of f32.
inline constexpr int64_t kGemmCol2ImMaxColumns = 16;

// True for a strided, undilated transposed conv of kernel kh x kw with `oc`
// outputs whose phase convolution would do at least 1.5 times its
// multiply-adds (k3 s2 on 5x5: 400 per channel pair against 225).
bool GemmCol2ImPays(const ConvAttributes& attrs, int64_t in_h, int64_t in_w, int64_t kh, int64_t kw,
                    int64_t oc);

struct Col2ImShape {
  int64_t batch = 0, in_h = 0, in_w = 0;
  int64_t kh = 0, kw = 0, oc = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // crop of the full transposed output
  int64_t out_h = 0, out_w = 0;
};

// `out` (NHWC, batch x out_h x out_w x oc) = bias + the scattered `cols`
// (batch*in_h*in_w rows of kh*kw*oc, in the order above).
void Col2Im(const Col2ImShape& s, const float* cols, const float* bias, float* out);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_DECONV_AS_GEMM_H_
