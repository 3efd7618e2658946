#include "engine/onednn/phase_copy_layout.h"

namespace ganserve {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

tag BlockedTag(int64_t block) { return block == 8 ? tag::aBcd8b : tag::aBcd16b; }

// Strides of an h x w x c image stored as runs of `run` channels: in
// oneDNN's nChw<run>c blocks, or plain NHWC.
RunLayout ImageRuns(int64_t h, int64_t w, int64_t c, int64_t run, bool blocked) {
  if (blocked) return {.n = c * h * w, .block = h * w * run, .y = w * run, .x = run};
  return {.n = c * h * w, .block = run, .y = w * c, .x = c};
}

}  // namespace

PhaseCopyLayout PhaseCopyLayout::Of(const std::vector<dnnl::memory::desc>& conv_outs, bool fused,
                                    bool to_f32) {
  PhaseCopyLayout first = OfOne(conv_outs.at(0), fused);
  for (const dnnl::memory::desc& md : conv_outs) {
    if (!(OfOne(md, fused) == first)) return PhaseCopyLayout();
  }
  first.widens_ = to_f32 && first.KeepsLayout() && first.type_ == dt::bf16;
  return first;
}

PhaseCopyLayout PhaseCopyLayout::OfOne(const dnnl::memory::desc& conv_out, bool fused) {
  PhaseCopyLayout l;
  l.fused_ = fused;
  l.type_ = conv_out.data_type();
  const dnnl::memory::dims nchw = conv_out.dims();
  // Whole blocks only; blocked bf16 would leave a bf16 source for the
  // activation loop.
  if (fused || l.type_ == dt::f32) {
    for (const int64_t block : {8, 16}) {
      if (nchw[1] % block == 0 && conv_out == dnnl::memory::desc(nchw, l.type_, BlockedTag(block)))
        l.block_ = block;
    }
  }
  l.nhwc_ = l.block_ == 0 && fused && l.type_ == dt::bf16 &&
            conv_out == dnnl::memory::desc(nchw, l.type_, tag::nhwc);
  return l;
}

size_t PhaseCopyLayout::ElementBytes() const {
  return ReadsConvOutput() ? dnnl::memory::data_type_size(type_) : sizeof(float);
}

RunLayout PhaseCopyLayout::Source(int64_t h, int64_t w, int64_t phases, int64_t channels) const {
  const int64_t run = Run(channels);
  RunLayout l = ImageRuns(h, w, phases * channels, run, block_ > 0);
  l.phase = channels / run * l.block;
  return l;
}

RunLayout PhaseCopyLayout::Result(int64_t h, int64_t w, int64_t channels) const {
  return ImageRuns(h, w, channels, Run(channels), KeepsLayout() && block_ > 0);
}

dnnl::memory::desc PhaseCopyLayout::ResultMd(const dnnl::memory::dims& nchw) const {
  if (!KeepsLayout()) return dnnl::memory::desc(nchw, dt::f32, tag::nhwc);
  return dnnl::memory::desc(nchw, type_, block_ > 0 ? BlockedTag(block_) : tag::nhwc);
}

}  // namespace ganserve
