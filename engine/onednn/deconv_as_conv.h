// Strided Conv2DTranspose as one stride-1 convolution (sub-pixel / phase
// decomposition). Output position p = q*s + r along an axis (in the full
// transposed output) only receives kernel taps r + s*j, from input q - j;
// so each phase r is a stride-1 correlation of the input with those taps,
// flipped. All s_h*s_w phases become the output channels of one convolution
// (kernel ceil(k/s) per axis, zero taps where a phase has fewer), whose
// result is interleaved back into space and cropped. oneDNN 2.6 runs this
// several times faster than its stride-2 deconvolution (backward-data) kernel.
#ifndef GANSERVE_ENGINE_ONEDNN_DECONV_AS_CONV_H_
#define GANSERVE_ENGINE_ONEDNN_DECONV_AS_CONV_H_

#include <cstdint>
#include <vector>

#include "engine/onednn/lowering.h"
#include "engine/ops/conv_geometry.h"
#include "engine/tensor.h"

namespace ganserve {

// True when the phase form is exact and worth it: some stride > 1, no
// dilation, and every phase has a tap (k >= s per axis; with k < s most of
// the convolution would multiply zeros).
bool DeconvAsConvApplies(const ConvAttributes& attrs, int64_t kh, int64_t kw);

// Rewrites a kDeconv node's weights (Keras layout [kh, kw, out, in], any
// BatchNorm already folded) into the phase convolution's {s_h*s_w*out, in,
// taps_h, taps_w} weights (channel = (r_h*s_w + r_w)*out + o) and replicates
// the bias per phase.
void RewriteAsPhaseConv(const Dims& kernel_shape, int64_t stride_h, int64_t stride_w,
                        LoweredNode& ln);

// Installs phase weights {phases*oc, ic, th, tw} (dense, row-major) into a
// node whose bias holds the oc per-channel values, replicating it per phase.
void SetPhaseWeights(std::vector<float> weights, int64_t phases, int64_t ic, int64_t th, int64_t tw,
                     LoweredNode& ln);

// The phase convolution along one axis.
struct PhaseAxis {
  int64_t stride = 1;
  int64_t taps = 1;       // ceil(k / stride)
  int64_t first = 0;      // phase row q of the convolution's first output
  int64_t pad_begin = 0;  // the convolution's input padding
  int64_t pad_end = 0;
  int64_t out = 0;   // the convolution's output length
  int64_t crop = 0;  // full-output position of the result's first element

  static PhaseAxis Of(int64_t in, int64_t k, int64_t stride, const AxisGeometry& g);
  // Result index -> (convolution output index, phase).
  int64_t Index(int64_t o) const { return (o + crop) / stride - first; }
  int64_t Phase(int64_t o) const { return (o + crop) % stride; }
};

// Strides (in elements) of a 4-d image whose channels are stored as `blocks`
// runs of `run` consecutive elements: plain NHWC is one run of C, oneDNN's
// nChw8c is C/8 runs of 8.
struct RunLayout {
  int64_t n = 0, block = 0, y = 0, x = 0;
  int64_t phase = 0;  // phase convolution output only: from one phase's channels to the next
};

// Where the phase convolution's output goes into the result.
struct PhaseCopy {
  PhaseAxis rows, cols;
  int64_t batch = 0, height = 0, width = 0;  // of the result
  int64_t blocks = 0, run = 0;
  size_t element_bytes = sizeof(float);  // 2 for bf16
  bool widen = false;                    // bf16 source, f32 result
  RunLayout src, dst;
  std::vector<int64_t> col_offset;  // per result column, into src; see SetColumnOffsets
};

// One phase along one axis computed exactly: the result positions
// first, first + stride, ... (count of them) and the padding of that
// phase's own stride-1 convolution (taps as in PhaseAxis, no crop).
struct ExactPhase {
  int64_t first = 0, count = 0;
  int64_t pad_begin = 0, pad_end = 0;

  static ExactPhase Of(int64_t in, int64_t k, int64_t stride, const AxisGeometry& g, int64_t phase);
  // oneDNN takes no negative padding; a phase without outputs has no convolution.
  bool Valid() const { return count > 0 && pad_begin >= 0 && pad_end >= 0; }
};

// One phase convolution's output interleaved into its rows and columns of
// the result: run-sized copies, like PhaseCopy.
struct OnePhaseCopy {
  int64_t batch = 0, blocks = 0, run = 0;
  size_t element_bytes = sizeof(float);
  bool widen = false;
  ExactPhase rows, cols;
  int64_t stride_h = 1, stride_w = 1;
  RunLayout src, dst;  // src.phase unused
};

void PhaseToSpace(const OnePhaseCopy& copy, const void* src, void* dst);

// Whether one exact convolution per phase replaces the single phase
// convolution (measured choice, see BENCHMARKS.md "deconvolution per
// phase"): when k is a multiple of s on both axes (no zero taps) and the
// single convolution would discard at least a tenth of its outputs.
bool PerPhasePays(const PhaseAxis& rows, const PhaseAxis& cols, int64_t kh, int64_t kw,
                  int64_t out_h, int64_t out_w);
// The second half of that rule alone, for phase forms without zero taps.
bool DiscardPays(const PhaseAxis& rows, const PhaseAxis& cols, int64_t out_h, int64_t out_w);

// Fills copy.col_offset from the other fields, once, when the plan is built.
void SetColumnOffsets(PhaseCopy& copy);

// Interleaves the phases into space (and crops). Allocates nothing.
void PhasesToSpace(const PhaseCopy& copy, const void* src, void* dst);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_DECONV_AS_CONV_H_
