#include "engine/loaders/onnx_op_table.h"

#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_folding.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/concatenate.h"
#include "engine/ops/elementwise.h"
#include "engine/ops/scale_shift.h"
#include "engine/status_macros.h"

namespace ganserve {

// The per-sample part (ONNX order) of a constant broadcast against a
// batched value with per-sample dims `dims`, then laid out like the value.
absl::StatusOr<Tensor> ConstantPerSample(const onnx::NodeProto& node, const ConstTensor& c,
                                         const OnnxValue& v) {
  Dims full{1};
  full.insert(full.end(), v.onnx_dims.begin(), v.onnx_dims.end());
  auto b = BroadcastTo(c, full);
  if (!b.ok()) {
    return absl::UnimplementedError(
        absl::StrCat(NodeLabel(node), ": constant of shape ", DimsToString(c.dims),
                     " does not broadcast over the sample shape ", DimsToString(v.onnx_dims)));
  }
  Tensor t = b->ToFloat();
  t.shape = v.onnx_dims;
  if (v.layout == OnnxValueLayout::kChannelsLast && v.onnx_dims.size() == 3) {
    const int64_t c_n = v.onnx_dims[0], h = v.onnx_dims[1], w = v.onnx_dims[2];
    Tensor hwc({h, w, c_n});
    for (int64_t ci = 0; ci < c_n; ++ci)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          hwc.data[(y * w + x) * c_n + ci] = t.data[(ci * h + y) * w + x];
    return hwc;
  }
  t.shape = IrDims(v.onnx_dims, OnnxValueLayout::kOnnxOrder);
  return t;
}

namespace {

// MatMul + Add as PyTorch 1.x exports nn.Linear: fold the bias into the Dense.
bool TryFoldBias(const onnx::NodeProto& node, OnnxContext& ctx, const OnnxValue& v,
                 const ConstTensor& c) {
  if (node.op_type() != "Add" || v.onnx_dims.size() != 1) return false;
  if (ctx.ConsumerCount(node.input(0)) + ctx.ConsumerCount(node.input(1)) > 2) return false;
  const int64_t units = v.onnx_dims[0];
  if (c.size() != units || (c.dims != Dims{units} && c.dims != Dims{1, units})) return false;
  Tensor bias = c.ToFloat();
  bias.shape = {units};
  std::shared_ptr<const Op> folded = ctx.node(v.node).op->WithBias(bias);
  if (folded == nullptr) return false;
  ctx.ReplaceOp(v.node, std::move(folded));
  return true;
}

// Defines node's output as `scale` times IR node `src` (laid out like `v`).
absl::Status DefineScaled(const onnx::NodeProto& node, OnnxContext& ctx, const OnnxValue& v,
                          int src, float scale) {
  const Dims& dims = ctx.node(src).output_dims;
  Tensor k(dims), zero(dims);
  std::fill(k.data.begin(), k.data.end(), scale);
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), node.op_type(),
                                         std::make_shared<ScaleShiftOp>(k, zero), {src}));
  return ctx.Define(node.output(0), n, v.onnx_dims, v.layout);
}

}  // namespace

absl::Status TranslateActivation(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  Attributes attrs(node);
  const std::string& op = node.op_type();
  Activation act;
  using K = Activation::Kind;
  if (op == "Relu") {
    act = Activation::Of(K::kRelu);
  } else if (op == "LeakyRelu") {
    GS_ASSIGN_OR_RETURN(float alpha, attrs.Float("alpha", 0.01f));
    act = Activation::Of(K::kLeakyRelu, alpha);
  } else if (op == "Elu") {
    GS_ASSIGN_OR_RETURN(float alpha, attrs.Float("alpha", 1.0f));
    act = Activation::Of(K::kElu, alpha);
  } else if (op == "Selu") {
    GS_ASSIGN_OR_RETURN(float alpha, attrs.Float("alpha", 1.67326319217681884765625f));
    GS_ASSIGN_OR_RETURN(float gamma, attrs.Float("gamma", 1.05070102214813232421875f));
    if (std::abs(alpha - 1.6732632f) > 1e-6f || std::abs(gamma - 1.0507010f) > 1e-6f) {
      // selu(x) = gamma * elu_alpha(x) for any alpha and gamma.
      GS_ASSIGN_OR_RETURN(
          int elu,
          ctx.AddNode(NodeName(node) + "_elu", "Elu",
                      std::make_shared<ActivationOp>(Activation::Of(K::kElu, alpha)), {v.node}));
      return DefineScaled(node, ctx, v, elu, gamma);
    }
    act = Activation::Of(K::kSelu);
  } else if (op == "Sigmoid") {
    act = Activation::Of(K::kSigmoid);
  } else if (op == "Tanh") {
    act = Activation::Of(K::kTanh);
  } else if (op == "Softplus") {
    act = Activation::Of(K::kSoftplus);
  } else {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), " is not supported"));
  }
  GS_ASSIGN_OR_RETURN(
      int n, ctx.AddNode(NodeName(node), op, std::make_shared<ActivationOp>(act), {v.node}));
  return ctx.Define(node.output(0), n, v.onnx_dims, v.layout);
}

absl::Status TranslateIdentity(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  if (node.op_type() == "Dropout" && node.output_size() > 1 && ctx.ConsumerCount(node.output(1))) {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": the mask output is used"));
  }
  return ctx.Define(node.output(0), v.node, v.onnx_dims, v.layout);
}

absl::Status TranslateConcat(const onnx::NodeProto& node, OnnxContext& ctx) {
  std::vector<OnnxValue> in;
  for (int i = 0; i < node.input_size(); ++i) {
    GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueOrBatchedConstant(node, i));
    in.push_back(v);
  }
  if (in.empty())
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), " has no inputs"));
  const int64_t rank = in[0].onnx_dims.size() + 1;
  GS_ASSIGN_OR_RETURN(int64_t axis_attr, Attributes(node).Int("axis", 1));
  GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, axis_attr, rank));
  if (axis == 0) {
    return absl::UnimplementedError(
        absl::StrCat(NodeLabel(node), " concatenates along the batch axis"));
  }
  const int sample_axis = axis - 1;
  bool all_nhwc = rank == 4;
  for (const OnnxValue& v : in) all_nhwc = all_nhwc && v.layout == OnnxValueLayout::kChannelsLast;
  const OnnxValueLayout layout =
      all_nhwc ? OnnxValueLayout::kChannelsLast : OnnxValueLayout::kOnnxOrder;
  std::vector<int> nodes;
  Dims out = in[0].onnx_dims;
  out[sample_axis] = 0;
  for (const OnnxValue& v : in) {
    if (v.onnx_dims.size() != out.size()) {
      return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": inputs differ in rank"));
    }
    out[sample_axis] += v.onnx_dims[sample_axis];
    GS_ASSIGN_OR_RETURN(int n, ctx.InLayout(v, layout));
    nodes.push_back(n);
  }
  const int ir_axis = all_nhwc ? (sample_axis + 2) % 3 : sample_axis;
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), "Concat",
                                         std::make_shared<ConcatenateOp>(ir_axis), nodes));
  return ctx.Define(node.output(0), n, out, layout);
}

absl::Status TranslateArithmetic(const onnx::NodeProto& node, OnnxContext& ctx) {
  const std::string& op = node.op_type();
  const OnnxValue* a = ctx.FindValue(node.input_size() > 0 ? node.input(0) : "");
  const OnnxValue* b = ctx.FindValue(node.input_size() > 1 ? node.input(1) : "");
  if (a != nullptr && b != nullptr) {
    if (op != "Add" && op != "Mul" && op != "Sub") {
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), " of two batched values"));
    }
    if (a->onnx_dims != b->onnx_dims) {
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": broadcasting between ",
                                                   DimsToString(a->onnx_dims), " and ",
                                                   DimsToString(b->onnx_dims)));
    }
    GS_ASSIGN_OR_RETURN(int na, ctx.InLayout(*a, a->layout));
    GS_ASSIGN_OR_RETURN(int nb, ctx.InLayout(*b, a->layout));
    if (op == "Sub") {  // a + (-1 * b)
      const Dims& dims = ctx.node(nb).output_dims;
      Tensor minus(dims), zero(dims);
      std::fill(minus.data.begin(), minus.data.end(), -1.0f);
      GS_ASSIGN_OR_RETURN(nb, ctx.AddNode(NodeName(node) + "_negate", "Neg",
                                          std::make_shared<ScaleShiftOp>(minus, zero), {nb}));
    }
    auto kind = op == "Mul" ? ElementwiseOp::Kind::kMultiply : ElementwiseOp::Kind::kAdd;
    GS_ASSIGN_OR_RETURN(
        int n, ctx.AddNode(NodeName(node), op, std::make_shared<ElementwiseOp>(kind), {na, nb}));
    return ctx.Define(node.output(0), n, a->onnx_dims, a->layout);
  }
  const bool value_first = a != nullptr;
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, value_first ? 0 : 1));
  GS_ASSIGN_OR_RETURN(const ConstTensor* c, ctx.ConstInput(node, value_first ? 1 : 0));
  if (TryFoldBias(node, ctx, v, *c))
    return ctx.Define(node.output(0), v.node, v.onnx_dims, v.layout);
  GS_ASSIGN_OR_RETURN(Tensor k, ConstantPerSample(node, *c, v));
  Tensor scale(k.shape), shift(k.shape);
  std::fill(scale.data.begin(), scale.data.end(), 1.0f);
  for (int64_t i = 0; i < k.size(); ++i) {
    const float x = k.data[i];
    if (op == "Add") {
      shift.data[i] = x;
    } else if (op == "Mul") {
      scale.data[i] = x;
    } else if (op == "Sub") {
      scale.data[i] = value_first ? 1.0f : -1.0f;
      shift.data[i] = value_first ? -x : x;
    } else if (value_first) {  // Div: x / c
      scale.data[i] = 1.0f / x;
    } else {
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), " divides by a batched value"));
    }
  }
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), op,
                                         std::make_shared<ScaleShiftOp>(scale, shift), {v.node}));
  return ctx.Define(node.output(0), n, v.onnx_dims, v.layout);
}

absl::Status TranslateShape(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  ConstTensor s;
  s.is_integer = true;
  s.values.push_back(std::nan(""));  // the batch, unknown until run time
  s.values.insert(s.values.end(), v.onnx_dims.begin(), v.onnx_dims.end());
  const int64_t rank = s.size();
  GS_ASSIGN_OR_RETURN(int64_t start, Attributes(node).Int("start", 0));
  GS_ASSIGN_OR_RETURN(int64_t end, Attributes(node).Int("end", rank));
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  s.values = std::vector<double>(s.values.begin() + start, s.values.begin() + end);
  s.dims = {s.size()};
  ctx.SetConst(node.output(0), std::move(s));
  return absl::OkStatus();
}

OnnxTranslator FindOnnxTranslator(const std::string& op_type) {
  static const auto* kTable = new std::map<std::string, OnnxTranslator>{
      {"Relu", TranslateActivation},
      {"LeakyRelu", TranslateActivation},
      {"Elu", TranslateActivation},
      {"Selu", TranslateActivation},
      {"Sigmoid", TranslateActivation},
      {"Tanh", TranslateActivation},
      {"Softplus", TranslateActivation},
      {"Identity", TranslateIdentity},
      {"Dropout", TranslateIdentity},
      {"Concat", TranslateConcat},
      {"Add", TranslateArithmetic},
      {"Sub", TranslateArithmetic},
      {"Mul", TranslateArithmetic},
      {"Div", TranslateArithmetic},
      {"Shape", TranslateShape},
      {"Reshape", TranslateReshape},
      {"Flatten", TranslateFlatten},
      {"Squeeze", TranslateSqueeze},
      {"Unsqueeze", TranslateSqueeze},
      {"Gemm", TranslateGemm},
      {"MatMul", TranslateMatMul},
      {"Gather", TranslateGather},
      {"Conv", TranslateConv},
      {"ConvTranspose", TranslateConvTranspose},
      {"BatchNormalization", TranslateBatchNorm},
      {"Resize", TranslateResize},
      {"Upsample", TranslateResize},
      {"Pad", TranslatePad},
      {"Expand", TranslateExpand},
      {"Tile", TranslateTile},
      {"Where", TranslateWhere},
      {"Greater", TranslateComparison},
      {"Less", TranslateComparison},
      {"GreaterOrEqual", TranslateComparison},
      {"LessOrEqual", TranslateComparison},
      {"Equal", TranslateComparison},
      {"Not", TranslateNot},
      {"Cast", TranslateCast},
      {"ConstantOfShape", TranslateConstantOfShape},
      {"InstanceNormalization", TranslateInstanceNorm},
      {"LayerNormalization", TranslateLayerNorm},
  };
  auto it = kTable->find(op_type);
  return it == kTable->end() ? nullptr : it->second;
}

}  // namespace ganserve
