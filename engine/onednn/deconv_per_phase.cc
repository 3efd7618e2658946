// PlanBuilder's per-phase lowering of a strided Conv2DTranspose or of an
// upsampling folded into a Conv2D: one exact convolution per output phase,
// interleaved into the output by a host copy.
#include "engine/onednn/deconv_as_conv.h"
#include "engine/onednn/eltwise_mapping.h"
#include "engine/onednn/phase_copy_layout.h"
#include "engine/onednn/pick_precision.h"
#include "engine/onednn/plan_builder.h"

namespace ganserve {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

bool PlanBuilder::LowerDeconvPerPhase(int i, const Dims& in_dims, const Dims& k,
                                      const ConvAttributes& a) {
  std::vector<ExactPhase> rows, cols;
  for (int64_t r = 0; r < a.stride_h; ++r)
    rows.push_back(
        ExactPhase::Of(in_dims[0], k[0], a.stride_h, a.TransposedRows(in_dims[0], k[0]), r));
  for (int64_t r = 0; r < a.stride_w; ++r)
    cols.push_back(
        ExactPhase::Of(in_dims[1], k[1], a.stride_w, a.TransposedCols(in_dims[1], k[1]), r));
  return LowerPerPhase(i, in_dims, k[2], rows, cols);
}

bool PlanBuilder::LowerPerPhase(int i, const Dims& in_dims, int64_t oc,
                                const std::vector<ExactPhase>& rows,
                                const std::vector<ExactPhase>& cols) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const Dims& out_dims = node.output_dims;
  for (const auto* axis : {&rows, &cols}) {
    for (const ExactPhase& e : *axis) {
      if (!e.Valid()) return false;
    }
  }
  const int64_t stride_h = static_cast<int64_t>(rows.size());
  const int64_t stride_w = static_cast<int64_t>(cols.size());
  const bool fused = AllExpressible(ln.activations);
  const dnnl::memory::dims weight_dims{oc, ln.weight_dims[1], ln.weight_dims[2], ln.weight_dims[3]};
  const dnnl::memory src = values_[Resolve(node.inputs[0])].mem;
  dnnl::memory phase_src;  // the input in the phases' layout, reordered once for all of them
  std::vector<dnnl::memory> outs;
  std::vector<OnePhaseCopy> copies;
  for (int64_t rh = 0; rh < stride_h; ++rh) {
    for (int64_t rw = 0; rw < stride_w; ++rw) {
      const ExactPhase& er = rows[rh];
      const ExactPhase& ec = cols[rw];
      // Every phase's bias is the layer's.
      const auto pd = PickConv(
          i, in_dims, weight_dims, {er.count, ec.count, oc},
          {.pad_begin = {er.pad_begin, ec.pad_begin}, .pad_end = {er.pad_end, ec.pad_end}}, fused);
      if (!phase_src || phase_src.get_desc() != pd.src_desc()) {
        phase_src = Reordered(src, pd.src_desc());
      }
      const dnnl::memory conv_out = ArenaMemory(pd.dst_desc());
      AddWeighted(dnnl::convolution_forward(pd), pd, ln, phase_src, conv_out,
                  static_cast<int>(rh * stride_w + rw));
      outs.push_back(conv_out);
      OnePhaseCopy c;
      c.batch = batch_;
      c.rows = er;
      c.cols = ec;
      c.stride_h = stride_h;
      c.stride_w = stride_w;
      copies.push_back(c);
    }
  }
  std::vector<dnnl::memory::desc> out_mds;
  for (const dnnl::memory& o : outs) out_mds.push_back(o.get_desc());
  const PhaseCopyLayout layout = PhaseCopyLayout::Of(out_mds, fused, OnlyF32ConvReads(i));
  for (size_t p = 0; p < outs.size(); ++p) {
    OnePhaseCopy& c = copies[p];
    const int64_t h = c.rows.count, w = c.cols.count;
    if (!layout.ReadsConvOutput()) outs[p] = Reordered(outs[p], PlainMd({h, w, oc}));
    c.run = layout.Run(oc);
    c.blocks = oc / c.run;
    c.element_bytes = layout.ElementBytes();
    c.widen = layout.Widens();
    c.src = layout.Source(h, w, 1, oc);
    c.dst = layout.Result(out_dims[0], out_dims[1], oc);
  }
  Value& out = NewValue(i, layout.ResultMd(ImageDims(out_dims)), out_dims);
  const dnnl::memory to = out.mem;
  std::vector<dnnl::memory> uses = outs;
  uses.push_back(to);
  AddHost(uses, [copies, outs, to]() {
    for (size_t p = 0; p < copies.size(); ++p) {
      PhaseToSpace(copies[p], outs[p].get_data_handle(), to.get_data_handle());
    }
    return absl::OkStatus();
  });
  if (!fused) AddActivationLoop(out.plain_mem, ln.activations);
  return true;
}

}  // namespace ganserve
