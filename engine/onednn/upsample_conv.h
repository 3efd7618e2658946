// Nearest UpSampling2D (factor s) followed by a stride-1 Conv2D as one
// stride-1 convolution on the low-resolution input. Output position
// o + crop = q*s + r (crop makes crop + pad_begin a multiple of s) reads
// upsampled positions q*s + r - crop - pad_begin + t, i.e. source pixels
// q - M + floor((r + t) / s) with M = (crop + pad_begin) / s: every phase r
// needs the same ceil((k - 1) / s) + 1 source pixels, and kernel taps that
// land on the same pixel are summed. All s_h*s_w phases become the output
// channels of one convolution, interleaved back into space like the phase
// form of Conv2DTranspose (deconv_as_conv.h), so the upsampled tensor is
// never written.
#ifndef GANSERVE_ENGINE_ONEDNN_UPSAMPLE_CONV_H_
#define GANSERVE_ENGINE_ONEDNN_UPSAMPLE_CONV_H_

#include <cstdint>

#include "engine/onednn/deconv_as_conv.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {

// Source pixels per phase along an axis: ceil((k - 1) / s) + 1.
inline int64_t UpsampleConvTaps(int64_t k, int64_t s) { return (k + s - 2) / s + 1; }

// True when the fold is exact (nearest, stride 1, no dilation, some factor
// > 1) and pays: fewer multiply-adds per output than the plain convolution
// on some axis (see BENCHMARKS.md, issue 16 "upsampling folded").
bool UpsampleConvApplies(const UpSampling2DOp& up, const ConvAttributes& attrs, int64_t kh,
                         int64_t kw);

// The phase convolution along one axis; `in` is the low-resolution length,
// `g` the Conv2D's geometry on the upsampled length.
PhaseAxis UpsampleConvAxis(int64_t in, int64_t k, int64_t s, const AxisGeometry& g);

// The result positions of weight phase m (the phase convolution's channel
// group m along this axis) as their own stride-1 convolution, exactly.
ExactPhase UpsampleConvExactPhase(int64_t in, int64_t k, int64_t s, const AxisGeometry& g,
                                  int64_t m);

// Rewrites a kConv node's weights (Keras layout [kh, kw, in, out], any
// BatchNorm already folded) into the phase convolution's {s_h*s_w*out, in,
// taps_h, taps_w} weights (channel = (r_h*s_w + r_w)*out + o) and replicates
// the bias per phase.
void RewriteAsUpsampleConv(const Dims& kernel_shape, const PhaseAxis& rows, const PhaseAxis& cols,
                           LoweredNode& ln);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_UPSAMPLE_CONV_H_
