// Translators for ops on images, which run channels-last in the IR: Conv,
// ConvTranspose (weights permuted to the Keras layouts, padding made
// explicit from the static input size) and BatchNormalization.
#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Unsupported(const onnx::NodeProto& node, const std::string& why) {
  return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": ", why));
}

// The attributes Conv and ConvTranspose share, checked for 2-D.
struct Window {
  int64_t kh = 0, kw = 0;
  ConvAttributes attrs;
  std::string auto_pad;
  std::vector<int64_t> pads;  // top, left, bottom, right
};

absl::StatusOr<Window> ReadWindow(const onnx::NodeProto& node, const OnnxValue& x,
                                  const ConstTensor& w) {
  if (x.onnx_dims.size() != 3 || w.dims.size() != 4) {
    return Unsupported(
        node, absl::StrCat("only 2-D convolutions are supported; input ", DimsToString(x.onnx_dims),
                           ", weight ", DimsToString(w.dims)));
  }
  Attributes attrs(node);
  GS_ASSIGN_OR_RETURN(int64_t group, attrs.Int("group", 1));
  if (group != 1) return Unsupported(node, absl::StrCat("group ", group, " (only 1)"));
  Window win;
  win.kh = w.dims[2];
  win.kw = w.dims[3];
  GS_ASSIGN_OR_RETURN(auto ks, attrs.Ints("kernel_shape", {win.kh, win.kw}));
  GS_ASSIGN_OR_RETURN(auto strides, attrs.Ints("strides", {1, 1}));
  GS_ASSIGN_OR_RETURN(auto dil, attrs.Ints("dilations", {1, 1}));
  GS_ASSIGN_OR_RETURN(win.pads, attrs.Ints("pads", {0, 0, 0, 0}));
  GS_ASSIGN_OR_RETURN(win.auto_pad, attrs.String("auto_pad", "NOTSET"));
  if (ks != std::vector<int64_t>{win.kh, win.kw} || strides.size() != 2 || dil.size() != 2 ||
      win.pads.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), ": kernel_shape, strides, dilations or pads do not fit 2-D"));
  }
  for (int64_t v : strides)
    if (v < 1) return Unsupported(node, "strides must be positive");
  for (int64_t v : dil)
    if (v < 1) return Unsupported(node, "dilations must be positive");
  for (int64_t v : win.pads)
    if (v < 0) return Unsupported(node, "negative pads");
  win.attrs.stride_h = strides[0];
  win.attrs.stride_w = strides[1];
  win.attrs.dilation_h = dil[0];
  win.attrs.dilation_w = dil[1];
  win.attrs.padding = Padding::kExplicit;
  return win;
}

// Permutes a 4-D weight whose axes are (a, b, kh, kw) to (kh, kw, a, b) or,
// with swap, (kh, kw, b, a).
Tensor ToKerasKernel(const ConstTensor& w, bool swap) {
  const int64_t a = w.dims[0], b = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  Tensor k(swap ? Dims{kh, kw, b, a} : Dims{kh, kw, a, b});
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          const int64_t dst =
              swap ? ((y * kw + x) * b + j) * a + i : ((y * kw + x) * a + i) * b + j;
          k.data[dst] = static_cast<float>(w.values[((i * b + j) * kh + y) * kw + x]);
        }
  return k;
}

absl::StatusOr<std::optional<Tensor>> Bias(const onnx::NodeProto& node, OnnxContext& ctx) {
  if (!OnnxContext::HasInput(node, 2)) return std::optional<Tensor>();
  GS_ASSIGN_OR_RETURN(const ConstTensor* b, ctx.ConstInput(node, 2));
  return std::optional<Tensor>(b->ToFloat());
}

// SAME padding split: SAME_UPPER puts the odd pixel at the end.
// A negative total (a transposed conv asked for more than its full output)
// appends bias-only pixels at the end, as the ONNX reference does.
void SplitSame(int64_t total, bool upper, int64_t& begin, int64_t& end) {
  if (total < 0) {
    begin = 0;
    end = total;
    return;
  }
  begin = upper ? total / 2 : total - total / 2;
  end = total - begin;
}

absl::Status Emit(const onnx::NodeProto& node, OnnxContext& ctx, const OnnxValue& x,
                  std::shared_ptr<const Op> op) {
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(x, OnnxValueLayout::kChannelsLast));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), node.op_type(), std::move(op), {src}));
  const Dims& hwc = ctx.node(n).output_dims;
  return ctx.Define(node.output(0), n, {hwc[2], hwc[0], hwc[1]}, OnnxValueLayout::kChannelsLast);
}

}  // namespace

absl::Status TranslateConv(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* w, ctx.ConstInput(node, 1));
  GS_ASSIGN_OR_RETURN(Window win, ReadWindow(node, x, *w));
  ConvAttributes& a = win.attrs;
  const int64_t in_h = x.onnx_dims[1], in_w = x.onnx_dims[2];
  if (win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER") {
    const bool upper = win.auto_pad == "SAME_UPPER";
    auto total = [](int64_t in, int64_t k, int64_t s, int64_t d) {
      return std::max<int64_t>(((in + s - 1) / s - 1) * s + EffectiveKernel(k, d) - in, 0);
    };
    SplitSame(total(in_h, win.kh, a.stride_h, a.dilation_h), upper, a.pad_top, a.pad_bottom);
    SplitSame(total(in_w, win.kw, a.stride_w, a.dilation_w), upper, a.pad_left, a.pad_right);
  } else if (win.auto_pad == "NOTSET" || win.auto_pad == "VALID") {
    if (win.auto_pad == "NOTSET") {
      a.pad_top = win.pads[0], a.pad_left = win.pads[1];
      a.pad_bottom = win.pads[2], a.pad_right = win.pads[3];
    }
  } else {
    return Unsupported(node, absl::StrCat("auto_pad ", win.auto_pad));
  }
  GS_ASSIGN_OR_RETURN(std::optional<Tensor> bias, Bias(node, ctx));
  // ONNX (out, in, kh, kw) -> Keras (kh, kw, in, out).
  auto op = std::make_shared<Conv2DOp>(ToKerasKernel(*w, /*swap=*/true), std::move(bias), a,
                                       Activation::Linear());
  return Emit(node, ctx, x, std::move(op));
}

absl::Status TranslateConvTranspose(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* w, ctx.ConstInput(node, 1));
  GS_ASSIGN_OR_RETURN(Window win, ReadWindow(node, x, *w));
  ConvAttributes& a = win.attrs;
  Attributes attrs(node);
  GS_ASSIGN_OR_RETURN(auto out_pad, attrs.Ints("output_padding", {0, 0}));
  GS_ASSIGN_OR_RETURN(auto out_shape, attrs.Ints("output_shape", {}));
  if (out_pad.size() != 2) return Unsupported(node, "output_padding must have 2 entries");
  if (out_shape.size() > 2) out_shape.erase(out_shape.begin(), out_shape.end() - 2);
  const int64_t in[2] = {x.onnx_dims[1], x.onnx_dims[2]};
  const int64_t k[2] = {win.kh, win.kw};
  const int64_t s[2] = {a.stride_h, a.stride_w};
  const int64_t d[2] = {a.dilation_h, a.dilation_w};
  int64_t begin[2] = {win.pads[0], win.pads[1]};
  int64_t end[2] = {win.pads[2], win.pads[3]};
  const bool same = win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER";
  if (!same && win.auto_pad != "NOTSET" && win.auto_pad != "VALID") {
    return Unsupported(node, absl::StrCat("auto_pad ", win.auto_pad));
  }
  if (win.auto_pad == "VALID") begin[0] = begin[1] = end[0] = end[1] = 0;
  if (same || !out_shape.empty()) {
    if (!out_shape.empty() && out_shape.size() != 2) return Unsupported(node, "output_shape rank");
    for (int i = 0; i < 2; ++i) {
      const int64_t target = out_shape.empty() ? in[i] * s[i] : out_shape[i];
      const int64_t total = s[i] * (in[i] - 1) + out_pad[i] + EffectiveKernel(k[i], d[i]) - target;
      // The odd pixel is cropped from the end for SAME_UPPER and from the
      // start otherwise (onnx reference implementation).
      SplitSame(total, win.auto_pad != "SAME_LOWER", begin[i], end[i]);
    }
  }
  a.pad_top = begin[0], a.pad_bottom = end[0], a.pad_left = begin[1], a.pad_right = end[1];
  a.output_padding_h = out_pad[0];
  a.output_padding_w = out_pad[1];
  GS_ASSIGN_OR_RETURN(std::optional<Tensor> bias, Bias(node, ctx));
  // ONNX (in, out, kh, kw) -> Keras (kh, kw, out, in), no spatial flip.
  auto op = std::make_shared<Conv2DTransposeOp>(ToKerasKernel(*w, /*swap=*/true), std::move(bias),
                                                a, Activation::Linear());
  return Emit(node, ctx, x, std::move(op));
}

absl::Status TranslateBatchNorm(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  Attributes attrs(node);
  GS_ASSIGN_OR_RETURN(float epsilon, attrs.Float("epsilon", 1e-5f));
  GS_ASSIGN_OR_RETURN(int64_t training, attrs.Int("training_mode", 0));
  GS_ASSIGN_OR_RETURN(int64_t spatial, attrs.Int("spatial", 1));
  if (training != 0) return Unsupported(node, "training_mode=1 (only inference is supported)");
  if (spatial != 1) return Unsupported(node, "spatial=0");
  for (int i = 1; i < node.output_size(); ++i) {
    if (!node.output(i).empty() && ctx.ConsumerCount(node.output(i)) > 0) {
      return Unsupported(node, "uses the running statistics outputs");
    }
  }
  if (x.onnx_dims.empty()) return Unsupported(node, "needs a channel axis");
  BatchNormWeights w;
  const ConstTensor* in[4];
  for (int i = 0; i < 4; ++i) {
    GS_ASSIGN_OR_RETURN(in[i], ctx.ConstInput(node, i + 1));
  }
  w.gamma = in[0]->ToFloat();
  w.beta = in[1]->ToFloat();
  w.moving_mean = in[2]->ToFloat();
  w.moving_variance = in[3]->ToFloat();
  const bool nhwc = x.layout == OnnxValueLayout::kChannelsLast && x.onnx_dims.size() == 3;
  auto op = std::make_shared<BatchNormOp>(nhwc ? -1 : 0, epsilon, std::move(w));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), "BatchNormalization", op, {x.node}));
  return ctx.Define(node.output(0), n, x.onnx_dims, x.layout);
}

}  // namespace ganserve
