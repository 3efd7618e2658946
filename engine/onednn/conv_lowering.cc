// PlanBuilder's lowering of Conv2D, Conv2DTranspose and Dense: primitives
// with format_tag::any, weights reordered once, activations as post-ops.
#include <algorithm>

#include "engine/onednn/deconv_as_conv.h"
#include "engine/onednn/deconv_as_flipped_conv.h"
#include "engine/onednn/eltwise_mapping.h"
#include "engine/onednn/phase_copy_layout.h"
#include "engine/onednn/pick_precision.h"
#include "engine/onednn/plan_builder.h"
#include "engine/onednn/upsample_conv.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

void PlanBuilder::LowerConv(int i) {
  const Node& node = graph_.node(i);
  const auto& op = static_cast<const Conv2DOp&>(*node.op);
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const dnnl::memory::dims& w = lowered_[i].weight_dims;
  const ConvAttributes& a = op.attrs();
  const AxisGeometry r = a.ConvRows(in_dims[0], w[2]);
  const AxisGeometry c = a.ConvCols(in_dims[1], w[3]);
  LowerDirectConv(i, {.strides = {a.stride_h, a.stride_w},
                      .dilation = {a.dilation_h - 1, a.dilation_w - 1},
                      .pad_begin = {r.pad_begin, c.pad_begin},
                      .pad_end = {r.pad_end, c.pad_end}});
}

void PlanBuilder::LowerFlippedConv(int i) {
  const Node& node = graph_.node(i);
  const auto& op = static_cast<const Conv2DTransposeOp&>(*node.op);
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const dnnl::memory::dims& w = lowered_[i].weight_dims;
  const ConvAttributes& a = op.attrs();
  const FlippedPadding r =
      FlippedPadding::Of(w[2], a.dilation_h, a.TransposedRows(in_dims[0], w[2]));
  const FlippedPadding c =
      FlippedPadding::Of(w[3], a.dilation_w, a.TransposedCols(in_dims[1], w[3]));
  LowerDirectConv(i, {.dilation = {a.dilation_h - 1, a.dilation_w - 1},
                      .pad_begin = {r.begin, c.begin},
                      .pad_end = {r.end, c.end}});
}

void PlanBuilder::LowerDirectConv(int i, const ConvWindow& window) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const bool fused = AllExpressible(ln.activations);
  // Activations oneDNN cannot express run as a loop over a plain output.
  const auto pd =
      PickConv(i, in_dims, ln.weight_dims, node.output_dims, window, fused, /*plain_dst=*/!fused);
  const dnnl::memory in = Reordered(values_[Resolve(node.inputs[0])].mem, pd.src_desc());
  Value& out = NewValue(i, pd.dst_desc(), node.output_dims);
  AddWeighted(dnnl::convolution_forward(pd), pd, ln, in, out.mem);
  if (!fused) AddActivationLoop(out.plain_mem, ln.activations);
}

void PlanBuilder::LowerDeconv(int i) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const auto& op = static_cast<const Conv2DTransposeOp&>(*node.op);
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const Dims& out_dims = node.output_dims;
  const ConvAttributes& a = op.attrs();
  const AxisGeometry r = a.TransposedRows(in_dims[0], ln.weight_dims[2]);
  const AxisGeometry c = a.TransposedCols(in_dims[1], ln.weight_dims[3]);
  // A negative end padding (k < s, or output_padding) appends rows/columns
  // past the full transposed conv that hold only the bias. oneDNN computes
  // the full part; a host step extends it.
  const int64_t extra_h = std::max<int64_t>(-r.pad_end, 0);
  const int64_t extra_w = std::max<int64_t>(-c.pad_end, 0);
  const bool extend = extra_h > 0 || extra_w > 0;
  const bool fused = !extend && AllExpressible(ln.activations);
  const Dims core_dims{out_dims[0] - extra_h, out_dims[1] - extra_w, out_dims[2]};
  const dnnl::memory::desc bias({ln.weight_dims[0]}, dt::f32, tag::x);
  const auto pd = PickPrecision<dnnl::deconvolution_forward::primitive_desc>(
      i, Attr(fused ? &ln.activations : nullptr), [&](dt type) {
        const dnnl::memory::desc dst =
            fused ? dnnl::memory::desc(ImageDims(out_dims), type, tag::any) : PlainMd(core_dims);
        return dnnl::deconvolution_forward::desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
            dnnl::memory::desc(ImageDims(in_dims), type, tag::any),
            dnnl::memory::desc(ln.weight_dims, type, tag::any), bias, dst, {a.stride_h, a.stride_w},
            {a.dilation_h - 1, a.dilation_w - 1}, {r.pad_begin, c.pad_begin},
            {std::max<int64_t>(r.pad_end, 0), std::max<int64_t>(c.pad_end, 0)});
      });
  const dnnl::memory in = Reordered(values_[Resolve(node.inputs[0])].mem, pd.src_desc());
  const dnnl::memory core_mem = extend ? ArenaMemory(pd.dst_desc()) : dnnl::memory();
  Value& out = NewValue(i, extend ? PlainMd(out_dims) : pd.dst_desc(), out_dims);
  AddWeighted(dnnl::deconvolution_forward(pd), pd, ln, in, extend ? core_mem : out.mem);
  if (extend) {
    const dnnl::memory full_mem = out.plain_mem;
    const std::vector<float>* bias_values = &ln.bias;
    const int64_t n = batch_, oh = out_dims[0], ow = out_dims[1], ch = out_dims[2];
    const int64_t ch_h = core_dims[0], ch_w = core_dims[1];
    AddHost({core_mem, full_mem}, [core_mem, full_mem, bias_values, n, oh, ow, ch, ch_h, ch_w]() {
      const float* core = static_cast<const float*>(core_mem.get_data_handle());
      float* full = static_cast<float*>(full_mem.get_data_handle());
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t y = 0; y < oh; ++y) {
          for (int64_t x = 0; x < ow; ++x) {
            float* dst = &full[((b * oh + y) * ow + x) * ch];
            if (y < ch_h && x < ch_w) {
              std::copy_n(&core[((b * ch_h + y) * ch_w + x) * ch], ch, dst);
            } else {
              std::copy_n(bias_values->data(), ch, dst);
            }
          }
        }
      }
      return absl::OkStatus();
    });
  }
  if (!fused) AddActivationLoop(out.plain_mem, ln.activations);
}

void PlanBuilder::LowerDeconvAsConv(int i) {
  const Node& node = graph_.node(i);
  const auto& op = static_cast<const Conv2DTransposeOp&>(*node.op);
  const Dims& in_dims = graph_.node(node.inputs[0]).output_dims;
  const Dims& k = op.kernel().shape;
  const ConvAttributes& a = op.attrs();
  PhaseCopy copy;
  copy.rows = PhaseAxis::Of(in_dims[0], k[0], a.stride_h, a.TransposedRows(in_dims[0], k[0]));
  copy.cols = PhaseAxis::Of(in_dims[1], k[1], a.stride_w, a.TransposedCols(in_dims[1], k[1]));
  if (PerPhasePays(copy.rows, copy.cols, k[0], k[1], node.output_dims[0], node.output_dims[1]) &&
      LowerDeconvPerPhase(i, in_dims, k, a)) {
    return;
  }
  LowerPhaseConv(i, Resolve(node.inputs[0]), in_dims, k[2], std::move(copy));
}

void PlanBuilder::LowerUpsampleConv(int i) {
  const Node& node = graph_.node(i);
  const auto& op = static_cast<const Conv2DOp&>(*node.op);
  const Node& up = graph_.node(node.inputs[0]);
  const auto& up_op = static_cast<const UpSampling2DOp&>(*up.op);
  const Dims& in_dims = graph_.node(up.inputs[0]).output_dims;  // low resolution
  const Dims& k = op.kernel().shape;
  const ConvAttributes& a = op.attrs();
  PhaseCopy copy;
  copy.rows =
      UpsampleConvAxis(in_dims[0], k[0], up_op.size_h(), a.ConvRows(up.output_dims[0], k[0]));
  copy.cols =
      UpsampleConvAxis(in_dims[1], k[1], up_op.size_w(), a.ConvCols(up.output_dims[1], k[1]));
  if (DiscardPays(copy.rows, copy.cols, node.output_dims[0], node.output_dims[1])) {
    std::vector<ExactPhase> rows, cols;
    for (int64_t m = 0; m < up_op.size_h(); ++m) {
      rows.push_back(UpsampleConvExactPhase(in_dims[0], k[0], up_op.size_h(),
                                            a.ConvRows(up.output_dims[0], k[0]), m));
    }
    for (int64_t m = 0; m < up_op.size_w(); ++m) {
      cols.push_back(UpsampleConvExactPhase(in_dims[1], k[1], up_op.size_w(),
                                            a.ConvCols(up.output_dims[1], k[1]), m));
    }
    if (LowerPerPhase(i, in_dims, k[3], rows, cols)) return;
  }
  LowerPhaseConv(i, Resolve(node.inputs[0]), in_dims, k[3], std::move(copy));
}

void PlanBuilder::LowerPhaseConv(int i, int in_value, const Dims& in_dims, int64_t oc,
                                 PhaseCopy copy) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const Dims& out_dims = node.output_dims;
  const bool fused = AllExpressible(ln.activations);
  const int64_t phases = copy.rows.stride * copy.cols.stride;
  const int64_t mh = copy.rows.out, mw = copy.cols.out;
  const Dims phase_dims{mh, mw, phases * oc};
  const auto pd = PickConv(i, in_dims, ln.weight_dims, phase_dims,
                           {.pad_begin = {copy.rows.pad_begin, copy.cols.pad_begin},
                            .pad_end = {copy.rows.pad_end, copy.cols.pad_end}},
                           fused, /*plain_dst=*/false, oc);
  const dnnl::memory in = Reordered(values_[in_value].mem, pd.src_desc());
  const dnnl::memory conv_out = ArenaMemory(pd.dst_desc());
  AddWeighted(dnnl::convolution_forward(pd), pd, ln, in, conv_out);
  const PhaseCopyLayout layout = PhaseCopyLayout::Of({pd.dst_desc()}, fused, OnlyF32ConvReads(i));
  const dnnl::memory phase_mem =
      layout.ReadsConvOutput() ? conv_out : Reordered(conv_out, PlainMd(phase_dims));
  copy.batch = batch_;
  copy.height = out_dims[0];
  copy.width = out_dims[1];
  copy.run = layout.Run(oc);
  copy.blocks = oc / copy.run;
  copy.element_bytes = layout.ElementBytes();
  copy.widen = layout.Widens();
  copy.src = layout.Source(mh, mw, phases, oc);
  copy.dst = layout.Result(out_dims[0], out_dims[1], oc);
  SetColumnOffsets(copy);
  Value& out = NewValue(i, layout.ResultMd(ImageDims(out_dims)), out_dims);
  const dnnl::memory to = out.mem;
  AddHost({phase_mem, to}, [copy, phase_mem, to]() {
    PhasesToSpace(copy, phase_mem.get_data_handle(), to.get_data_handle());
    return absl::OkStatus();
  });
  if (!fused) AddActivationLoop(out.plain_mem, ln.activations);
}

dnnl::convolution_forward::primitive_desc PlanBuilder::PickConv(
    int i, const Dims& in_dims, const dnnl::memory::dims& weight_dims, const Dims& out_dims,
    const ConvWindow& window, bool fused, bool plain_dst, int64_t copy_channels) const {
  const LoweredNode& ln = lowered_[i];
  const dnnl::memory::desc bias({weight_dims[0]}, dt::f32, tag::x);
  const dnnl::primitive_attr attr = Attr(fused ? &ln.activations : nullptr);
  const auto make = [&](dt type, tag data_tag) {
    // Otherwise the destination stays 'any': asking for nhwc sends oneDNN
    // 2.6 to ref:any.
    const dnnl::memory::desc dst =
        plain_dst ? PlainMd(out_dims) : dnnl::memory::desc(ImageDims(out_dims), type, data_tag);
    return dnnl::convolution_forward::desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
        dnnl::memory::desc(ImageDims(in_dims), type, data_tag),
        dnnl::memory::desc(weight_dims, type, tag::any), bias, dst, window.strides, window.dilation,
        window.pad_begin, window.pad_end);
  };
  constexpr int64_t kBlock = 16;
  if (copy_channels == 0) copy_channels = weight_dims[0];
  if (!plain_dst && weight_dims[1] % kBlock == 0 && copy_channels % kBlock == 0) {
    const auto blocked = NativeBf16<dnnl::convolution_forward::primitive_desc>(
        i, attr, [&](dt type) { return make(type, tag::nChw16c); });
    if (blocked) return blocked;
  }
  return PickPrecision<dnnl::convolution_forward::primitive_desc>(
      i, attr, [&](dt type) { return make(type, tag::any); });
}

void PlanBuilder::AddWeighted(dnnl::primitive prim, const dnnl::primitive_desc_base& pd,
                              const LoweredNode& ln, const dnnl::memory& src,
                              const dnnl::memory& dst, int part) {
  AddPrimitive(std::move(prim),
               {{DNNL_ARG_SRC, src},
                {DNNL_ARG_WEIGHTS, PrepareWeights(ln, pd.weights_desc(), part)},
                {DNNL_ARG_BIAS, ConstMemory(ln.bias, pd.weights_desc(1))},
                {DNNL_ARG_DST, dst}},
               pd.scratchpad_desc());
}

void PlanBuilder::LowerDense(int i) {
  const Node& node = graph_.node(i);
  const LoweredNode& ln = lowered_[i];
  const int64_t out_features = ln.weight_dims[0], in_features = ln.weight_dims[1];
  const dnnl::memory x = EnsurePlain(Resolve(node.inputs[0])).plain_mem;
  // Dense maps the last axis of any rank.
  const int64_t rows = static_cast<int64_t>(x.get_desc().get_size() / sizeof(float)) / in_features;
  const bool fused = AllExpressible(ln.activations);
  const dnnl::memory::desc src({rows, in_features}, dt::f32, tag::nc);
  const dnnl::memory::desc wei(ln.weight_dims, dt::f32, tag::any);
  const dnnl::memory::desc bias({out_features}, dt::f32, tag::x);
  const dnnl::memory::desc dst({rows, out_features}, dt::f32, tag::nc);
  dnnl::inner_product_forward::desc desc(dnnl::prop_kind::forward_inference, src, wei, bias, dst);
  dnnl::inner_product_forward::primitive_desc pd(desc, Attr(fused ? &ln.activations : nullptr),
                                                 engine_);
  const dnnl::memory y = NewPlainValue(i, node.output_dims).plain_mem;
  AddWeighted(dnnl::inner_product_forward(pd), pd, ln, View(x, src), View(y, dst));
  if (!fused) AddActivationLoop(y, ln.activations);
}

}  // namespace ganserve
