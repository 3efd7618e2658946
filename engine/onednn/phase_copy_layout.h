// The layout a phase interleaving (PhaseToSpace, PhasesToSpace) copies in,
// chosen from the layout oneDNN gave the phase convolutions' outputs: whole
// channel blocks of nChw8c / nChw16c, which the result keeps for the next
// convolution; runs of all channels of bf16 NHWC, kept likewise; else plain
// f32 NHWC after a reorder. The activation loop of an unfused chain needs
// plain f32, so only a fused result keeps the convolution's layout. A
// result only an f32 layer reads (the output layer of a bf16 plan) is
// widened to f32 NHWC by the copy itself, so no reorder follows it.
#ifndef GANSERVE_ENGINE_ONEDNN_PHASE_COPY_LAYOUT_H_
#define GANSERVE_ENGINE_ONEDNN_PHASE_COPY_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dnnl.hpp"
#include "engine/onednn/deconv_as_conv.h"

namespace ganserve {

class PhaseCopyLayout {
 public:
  // For phase convolutions whose outputs oneDNN laid out as `conv_outs`:
  // plain f32 unless all chose the same layout.
  // `to_f32`: the result is wanted as plain f32.
  static PhaseCopyLayout Of(const std::vector<dnnl::memory::desc>& conv_outs, bool fused,
                            bool to_f32 = false);

  // The copy reads the convolution's output itself; else a plain f32
  // reorder of it (`PlainSource`).
  bool ReadsConvOutput() const { return block_ > 0 || nhwc_; }
  // The result is in the convolution's data type and layout; else plain f32.
  bool KeepsLayout() const { return fused_ && ReadsConvOutput() && !widens_; }
  // The copy reads bf16 and writes the plain f32 result.
  bool Widens() const { return widens_; }
  // Channels per memcpy.
  int64_t Run(int64_t channels) const { return block_ > 0 ? block_ : channels; }
  size_t ElementBytes() const;  // of the source
  // Strides of the copy's source, an h x w image of `phases` groups of
  // `channels` (one group per phase of a single phase convolution).
  RunLayout Source(int64_t h, int64_t w, int64_t phases, int64_t channels) const;
  // Strides of the result, an image of h x w x channels.
  RunLayout Result(int64_t h, int64_t w, int64_t channels) const;
  // The result's desc; `nchw` its dims.
  dnnl::memory::desc ResultMd(const dnnl::memory::dims& nchw) const;

 private:
  static PhaseCopyLayout OfOne(const dnnl::memory::desc& conv_out, bool fused);
  bool operator==(const PhaseCopyLayout&) const = default;

  int64_t block_ = 0;  // 8 or 16 when copying whole channel blocks
  bool nhwc_ = false;  // copying bf16 NHWC as it is
  bool fused_ = false;
  bool widens_ = false;
  dnnl::memory::data_type type_ = dnnl::memory::data_type::f32;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_PHASE_COPY_LAYOUT_H_
