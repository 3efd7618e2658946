// Pad, InstanceNormalization (which PyTorch's GroupNorm also exports to) and
// LayerNormalization.
#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_folding.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/ops/instance_norm.h"
#include "engine/ops/layer_norm_chain.h"
#include "engine/ops/mirror_pad2d.h"
#include "engine/ops/padding2d.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Unsupported(const onnx::NodeProto& node, const std::string& why) {
  return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": ", why));
}

// The pads as [x1_begin, x2_begin, ..., x1_end, x2_end, ...] over every axis.
absl::StatusOr<std::vector<int64_t>> PadsOf(const onnx::NodeProto& node, OnnxContext& ctx) {
  if (ctx.opset() < 11) return Attributes(node).Ints("pads", {});
  GS_ASSIGN_OR_RETURN(const ConstTensor* pads, ctx.ConstInput(node, 1));
  std::vector<int64_t> out;
  for (double v : pads->values) out.push_back(static_cast<int64_t>(v));
  return out;
}

absl::StatusOr<float> PadValueOf(const onnx::NodeProto& node, OnnxContext& ctx) {
  if (ctx.opset() < 11) return Attributes(node).Float("value", 0.0f);
  if (!OnnxContext::HasInput(node, 2)) return 0.0f;
  GS_ASSIGN_OR_RETURN(const ConstTensor* value, ctx.ConstInput(node, 2));
  if (value->size() != 1) return Unsupported(node, "constant_value must hold one element");
  return static_cast<float>(value->values[0]);
}

}  // namespace

absl::Status TranslatePad(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(std::string mode, Attributes(node).String("mode", "constant"));
  if (mode != "constant" && mode != "reflect" && mode != "edge") {
    return Unsupported(node, absl::StrCat("mode '", mode, "' (constant, reflect or edge)"));
  }
  if (x.onnx_dims.size() != 3) {
    return Unsupported(node, absl::StrCat("only (N, C, H, W) inputs are padded; input is ",
                                          DimsToString(x.onnx_dims), " per sample"));
  }
  if (ctx.opset() >= 18 && OnnxContext::HasInput(node, 3)) {
    return Unsupported(node, "the axes input (opset 18) is not supported");
  }
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> p, PadsOf(node, ctx));
  if (p.size() != 8) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), ": ", p.size(), " pads for a 4-D input; expected 8"));
  }
  if (p[0] || p[1] || p[4] || p[5]) return Unsupported(node, "pads the batch or channel axis");
  const Borders b{p[2], p[6], p[3], p[7]};
  const bool grow = b.top >= 0 && b.bottom >= 0 && b.left >= 0 && b.right >= 0;
  const bool crop = b.top <= 0 && b.bottom <= 0 && b.left <= 0 && b.right <= 0;
  if (!grow && !crop) return Unsupported(node, "pads some edges and crops others");
  std::shared_ptr<const Op> op;
  if (mode != "constant") {
    if (!grow) return Unsupported(node, absl::StrCat("negative pads in mode '", mode, "'"));
    op = std::make_shared<MirrorPad2DOp>(
        mode == "reflect" ? MirrorPad2DOp::Mode::kReflect : MirrorPad2DOp::Mode::kEdge, b);
  } else {
    GS_ASSIGN_OR_RETURN(float value, PadValueOf(node, ctx));
    op = std::make_shared<Padding2DOp>(
        grow ? Padding2DOp::ConstantPadding(b, value)
             : Padding2DOp::Cropping({-b.top, -b.bottom, -b.left, -b.right}));
  }
  GS_ASSIGN_OR_RETURN(int in, ctx.InLayout(x, OnnxValueLayout::kChannelsLast));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), "Pad", op, {in}));
  const Dims out{x.onnx_dims[0], x.onnx_dims[1] + b.top + b.bottom,
                 x.onnx_dims[2] + b.left + b.right};
  return ctx.Define(node.output(0), n, out, OnnxValueLayout::kChannelsLast);
}

absl::Status TranslateInstanceNorm(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(float epsilon, Attributes(node).Float("epsilon", 1e-5f));
  GS_ASSIGN_OR_RETURN(const ConstTensor* scale, ctx.ConstInput(node, 1));
  GS_ASSIGN_OR_RETURN(const ConstTensor* bias, ctx.ConstInput(node, 2));
  if (x.onnx_dims.size() < 2) {
    return Unsupported(node, absl::StrCat("input of ", DimsToString(x.onnx_dims),
                                          " per sample has no axis to normalize over"));
  }
  const bool channels_last = x.layout == OnnxValueLayout::kChannelsLast && x.onnx_dims.size() == 3;
  Tensor s = scale->ToFloat(), t = bias->ToFloat();
  s.shape = {s.size()};
  t.shape = {t.size()};
  auto op = std::make_shared<InstanceNormOp>(channels_last, epsilon, std::move(s), std::move(t));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), "InstanceNormalization", op, {x.node}));
  return ctx.Define(node.output(0), n, x.onnx_dims, x.layout);
}

// LayerNormalization over the per-sample axes from `axis` on is an
// InstanceNormalization of the sample viewed as (leading, normalized) with
// unit weights, then the elementwise scale and bias of the normalized shape.
absl::Status TranslateLayerNorm(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue x, ctx.ValueInput(node, 0));
  for (int i = 1; i < node.output_size(); ++i) {
    if (ctx.ConsumerCount(node.output(i)) > 0) {
      return Unsupported(node, "the Mean and InvStdDev outputs are used (inference has none)");
    }
  }
  GS_ASSIGN_OR_RETURN(float epsilon, Attributes(node).Float("epsilon", 1e-5f));
  GS_ASSIGN_OR_RETURN(int64_t axis_attr, Attributes(node).Int("axis", -1));
  const int64_t rank = static_cast<int64_t>(x.onnx_dims.size()) + 1;
  GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, axis_attr, rank));
  if (axis == 0) return Unsupported(node, "axis 0 normalizes across the batch");
  int64_t leading = 1, normalized = 1;
  for (int64_t a = 1; a < rank; ++a) (a < axis ? leading : normalized) *= x.onnx_dims[a - 1];
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(x, OnnxValueLayout::kOnnxOrder));
  const std::string name = NodeName(node);
  Dims whole{1};
  whole.insert(whole.end(), x.onnx_dims.begin(), x.onnx_dims.end());
  auto weight = [&](int i, float fallback) -> absl::StatusOr<Tensor> {
    ConstTensor c;
    c.dims = {1};
    c.values = {fallback};
    const ConstTensor* given = &c;
    if (OnnxContext::HasInput(node, i)) {
      GS_ASSIGN_OR_RETURN(given, ctx.ConstInput(node, i));
    }
    auto full = BroadcastTo(*given, whole);
    if (!full.ok()) {
      return Unsupported(node, absl::StrCat("input ", i, " of ", DimsToString(given->dims),
                                            " does not broadcast over ", DimsToString(x.onnx_dims),
                                            " per sample"));
    }
    Tensor t = full->ToFloat();
    t.shape = {leading, normalized};
    return t;
  };
  GS_ASSIGN_OR_RETURN(Tensor scale, weight(1, 1.0f));
  GS_ASSIGN_OR_RETURN(Tensor bias, weight(2, 0.0f));
  int64_t trainable = 0;
  for (int i : {1, 2}) {
    if (OnnxContext::HasInput(node, i)) trainable += ctx.FindConst(node.input(i))->size();
  }
  LayerNormChain chain = MakeLayerNormChain(leading, normalized, epsilon, std::move(scale),
                                            std::move(bias), trainable);
  GS_ASSIGN_OR_RETURN(int flat, ctx.AddNode(name + "/view", "Reshape", chain.view, {src}));
  GS_ASSIGN_OR_RETURN(
      int norm, ctx.AddNode(name + "/normalize", "LayerNormalization", chain.normalize, {flat}));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(name, "LayerNormalization", chain.scale_shift, {norm}));
  return ctx.Define(node.output(0), n, x.onnx_dims, OnnxValueLayout::kOnnxOrder);
}

}  // namespace ganserve
