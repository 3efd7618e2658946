// Comparisons of batched values and Where choosing by their result. A
// comparison is the sign of a difference, a - b: an activation (kIsPositive,
// kIsNotNegative, kIsZero) makes it the 0/1 mask that stands for ONNX's
// bool, and Where(m, x, y) is then m * x + (1 - m) * y, exact for 0/1 masks.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/elementwise.h"
#include "engine/ops/scale_shift.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

using Kind = Activation::Kind;

Tensor Filled(const Dims& dims, float value) {
  Tensor t(dims);
  std::fill(t.data.begin(), t.data.end(), value);
  return t;
}

absl::StatusOr<int> AddScaleShift(OnnxContext& ctx, const std::string& name, int src, Tensor scale,
                                  Tensor shift) {
  return ctx.AddNode(name, std::string(ScaleShiftOp::kType),
                     std::make_shared<ScaleShiftOp>(std::move(scale), std::move(shift)), {src});
}

absl::StatusOr<int> AddElementwise(OnnxContext& ctx, const std::string& name,
                                   ElementwiseOp::Kind kind, int a, int b) {
  return ctx.AddNode(name, "Elementwise", std::make_shared<ElementwiseOp>(kind),
                     std::vector<int>{a, b});
}

absl::Status NoBroadcasting(const onnx::NodeProto& node, const Dims& a, const Dims& b) {
  if (a == b) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": broadcasting between ",
                                               DimsToString(a), " and ", DimsToString(b)));
}

// first - second, where at least one is a batched value; the other may be a
// constant broadcast over it.
absl::StatusOr<OnnxValue> Difference(const onnx::NodeProto& node, OnnxContext& ctx, int first,
                                     int second) {
  const OnnxValue* a = ctx.FindValue(node.input(first));
  const OnnxValue* b = ctx.FindValue(node.input(second));
  const std::string name = NodeName(node) + "_difference";
  if (a != nullptr && b != nullptr) {
    GS_RETURN_IF_ERROR(NoBroadcasting(node, a->onnx_dims, b->onnx_dims));
    GS_ASSIGN_OR_RETURN(int na, ctx.InLayout(*a, a->layout));
    GS_ASSIGN_OR_RETURN(int nb, ctx.InLayout(*b, a->layout));
    const Dims& dims = ctx.node(nb).output_dims;
    GS_ASSIGN_OR_RETURN(
        int minus_b, AddScaleShift(ctx, name + "_negate", nb, Filled(dims, -1), Filled(dims, 0)));
    GS_ASSIGN_OR_RETURN(int n, AddElementwise(ctx, name, ElementwiseOp::Kind::kAdd, na, minus_b));
    return OnnxValue{n, a->onnx_dims, a->layout};
  }
  const bool value_first = a != nullptr;
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, value_first ? first : second));
  GS_ASSIGN_OR_RETURN(const ConstTensor* c, ctx.ConstInput(node, value_first ? second : first));
  GS_ASSIGN_OR_RETURN(Tensor k, ConstantPerSample(node, *c, v));
  // v - c, or c - v.
  Tensor scale = Filled(k.shape, value_first ? 1 : -1);
  if (value_first) {
    for (float& x : k.data) x = -x;
  }
  GS_ASSIGN_OR_RETURN(int n, AddScaleShift(ctx, name, v.node, std::move(scale), std::move(k)));
  return OnnxValue{n, v.onnx_dims, v.layout};
}

absl::Status DefineMask(const onnx::NodeProto& node, OnnxContext& ctx, const OnnxValue& of,
                        Kind kind) {
  GS_ASSIGN_OR_RETURN(int n,
                      ctx.AddNode(NodeName(node), node.op_type(),
                                  std::make_shared<ActivationOp>(Activation::Of(kind)), {of.node}));
  GS_RETURN_IF_ERROR(ctx.Define(node.output(0), n, of.onnx_dims, of.layout));
  ctx.MarkMask(node.output(0));
  return absl::OkStatus();
}

// 1 - m: Not of a mask.
absl::StatusOr<int> Inverted(OnnxContext& ctx, const std::string& name, const OnnxValue& m) {
  const Dims& dims = ctx.node(m.node).output_dims;
  return AddScaleShift(ctx, name, m.node, Filled(dims, -1), Filled(dims, 1));
}

// Where(m, x, y) for a batched mask m: m * x + (1 - m) * y, each branch a
// batched value of m's shape or a constant broadcast over it.
absl::Status WhereOfMask(const onnx::NodeProto& node, OnnxContext& ctx, const OnnxValue& m) {
  if (!m.mask) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node),
                     ": the condition is a batched value that no comparison "
                     "made (Where needs a bool)"));
  }
  GS_ASSIGN_OR_RETURN(int inverse, Inverted(ctx, NodeName(node) + "_not", m));
  int terms[2];
  for (int i = 0; i < 2; ++i) {
    const int selector = i == 0 ? m.node : inverse;
    const std::string name = NodeName(node) + (i == 0 ? "_x" : "_y");
    if (const OnnxValue* v = ctx.FindValue(node.input(i + 1)); v != nullptr) {
      GS_RETURN_IF_ERROR(NoBroadcasting(node, m.onnx_dims, v->onnx_dims));
      GS_ASSIGN_OR_RETURN(int branch, ctx.InLayout(*v, m.layout));
      GS_ASSIGN_OR_RETURN(
          terms[i], AddElementwise(ctx, name, ElementwiseOp::Kind::kMultiply, selector, branch));
    } else {
      GS_ASSIGN_OR_RETURN(const ConstTensor* c, ctx.ConstInput(node, i + 1));
      GS_ASSIGN_OR_RETURN(Tensor k, ConstantPerSample(node, *c, m));
      Tensor zero = Filled(k.shape, 0);
      GS_ASSIGN_OR_RETURN(terms[i],
                          AddScaleShift(ctx, name, selector, std::move(k), std::move(zero)));
    }
  }
  GS_ASSIGN_OR_RETURN(
      int n, AddElementwise(ctx, NodeName(node), ElementwiseOp::Kind::kAdd, terms[0], terms[1]));
  return ctx.Define(node.output(0), n, m.onnx_dims, m.layout);
}

// Where(c, x, y) with a constant condition is x * c + y * (1 - c): a
// ScaleShift on each batched branch, a constant branch's share in the shift.
absl::Status WhereOfConstant(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* cond, ctx.ConstInput(node, 0));
  const OnnxValue* branch[2] = {ctx.FindValue(node.input(1)), ctx.FindValue(node.input(2))};
  if (branch[0] == nullptr && branch[1] == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), ": neither branch is a batched value or a constant"));
  }
  const OnnxValue& v = branch[0] != nullptr ? *branch[0] : *branch[1];
  if (branch[0] != nullptr && branch[1] != nullptr &&
      branch[0]->onnx_dims != branch[1]->onnx_dims) {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": broadcasting between ",
                                                 DimsToString(branch[0]->onnx_dims), " and ",
                                                 DimsToString(branch[1]->onnx_dims)));
  }
  GS_ASSIGN_OR_RETURN(Tensor keep_x, ConstantPerSample(node, *cond, v));
  Tensor masks[2] = {keep_x, keep_x};
  for (float& m : masks[1].data) m = 1.0f - m;
  Tensor shift(keep_x.shape), zero(keep_x.shape);
  for (int i = 0; i < 2; ++i) {
    if (branch[i] != nullptr) continue;
    GS_ASSIGN_OR_RETURN(const ConstTensor* c, ctx.ConstInput(node, i + 1));
    GS_ASSIGN_OR_RETURN(Tensor k, ConstantPerSample(node, *c, v));
    for (int64_t j = 0; j < k.size(); ++j) shift.data[j] += masks[i].data[j] * k.data[j];
  }
  std::vector<int> terms;
  for (int i = 0; i < 2; ++i) {
    if (branch[i] == nullptr) continue;
    GS_ASSIGN_OR_RETURN(int in, ctx.InLayout(*branch[i], v.layout));
    const bool first = terms.empty();
    GS_ASSIGN_OR_RETURN(
        int n, ctx.AddNode(NodeName(node) + (i == 0 ? "_x" : "_y"), "Where",
                           std::make_shared<ScaleShiftOp>(masks[i], first ? shift : zero), {in}));
    terms.push_back(n);
  }
  int out = terms[0];
  if (terms.size() == 2) {
    GS_ASSIGN_OR_RETURN(
        out, ctx.AddNode(NodeName(node), "Where",
                         std::make_shared<ElementwiseOp>(ElementwiseOp::Kind::kAdd), terms));
  }
  return ctx.Define(node.output(0), out, v.onnx_dims, v.layout);
}

}  // namespace

absl::Status TranslateComparison(const onnx::NodeProto& node, OnnxContext& ctx) {
  if (node.input_size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), " has ", node.input_size(), " inputs; expected 2"));
  }
  const std::string& op = node.op_type();
  const bool swapped = op == "Less" || op == "LessOrEqual";  // a < b is b > a
  const Kind kind = op == "Equal"                     ? Kind::kIsZero
                    : op == "Greater" || op == "Less" ? Kind::kIsPositive
                                                      : Kind::kIsNotNegative;
  GS_ASSIGN_OR_RETURN(OnnxValue difference,
                      Difference(node, ctx, swapped ? 1 : 0, swapped ? 0 : 1));
  return DefineMask(node, ctx, difference, kind);
}

absl::Status TranslateNot(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue m, ctx.ValueInput(node, 0));
  if (!m.mask) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), ": its input is a batched value that no comparison made"));
  }
  GS_ASSIGN_OR_RETURN(int n, Inverted(ctx, NodeName(node), m));
  GS_RETURN_IF_ERROR(ctx.Define(node.output(0), n, m.onnx_dims, m.layout));
  ctx.MarkMask(node.output(0));
  return absl::OkStatus();
}

// Cast of a batched value: to float it keeps the values (a mask becomes its
// 0/1 floats); to bool it is x != 0; to other types it would round, refused.
absl::Status TranslateCast(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(int64_t to, Attributes(node).Int("to", 0));
  if (to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE) {
    return ctx.Define(node.output(0), v.node, v.onnx_dims, v.layout);
  }
  if (to != onnx::TensorProto::BOOL && !v.mask) {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node),
                                                 ": casting a batched float value to type ", to,
                                                 " (only float, double and bool are supported)"));
  }
  if (to != onnx::TensorProto::BOOL || v.mask) {
    return ctx.Define(node.output(0), v.node, v.onnx_dims, v.layout);  // a mask's 0/1 as ints
  }
  GS_ASSIGN_OR_RETURN(
      int zero,
      ctx.AddNode(NodeName(node) + "_is_zero", "Cast",
                  std::make_shared<ActivationOp>(Activation::Of(Kind::kIsZero)), {v.node}));
  GS_ASSIGN_OR_RETURN(int n, Inverted(ctx, NodeName(node), OnnxValue{zero, v.onnx_dims, v.layout}));
  GS_RETURN_IF_ERROR(ctx.Define(node.output(0), n, v.onnx_dims, v.layout));
  ctx.MarkMask(node.output(0));
  return absl::OkStatus();
}

absl::Status TranslateWhere(const onnx::NodeProto& node, OnnxContext& ctx) {
  if (node.input_size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), " has ", node.input_size(), " inputs; expected 3"));
  }
  if (const OnnxValue* m = ctx.FindValue(node.input(0)); m != nullptr) {
    return WhereOfMask(node, ctx, *m);
  }
  return WhereOfConstant(node, ctx);
}

}  // namespace ganserve
