// Translators for ops that see a sample in ONNX's axis order: Reshape,
// Flatten, Squeeze/Unsqueeze, Gemm, MatMul and Gather (embedding).
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_folding.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/ops/dense.h"
#include "engine/ops/embedding.h"
#include "engine/ops/reshape.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Unsupported(const onnx::NodeProto& node, const std::string& why) {
  return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": ", why));
}

// Reinterprets `v` (in ONNX order) as per-sample `dims`.
absl::Status ReshapeTo(const onnx::NodeProto& node, OnnxContext& ctx, const OnnxValue& v,
                       Dims dims) {
  if (NumElements(dims) != NumElements(v.onnx_dims)) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": cannot reshape ",
                                                   DimsToString(v.onnx_dims), " to ",
                                                   DimsToString(dims)));
  }
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(v, OnnxValueLayout::kOnnxOrder));
  return ctx.Define(node.output(0), src, std::move(dims), OnnxValueLayout::kOnnxOrder);
}

}  // namespace

absl::Status TranslateReshape(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* shape, ctx.ConstInput(node, 1));
  GS_ASSIGN_OR_RETURN(int64_t allowzero, Attributes(node).Int("allowzero", 0));
  if (shape->dims.size() != 1 || shape->size() < 2) {
    return Unsupported(node, "the target shape must keep the batch axis first");
  }
  // The first entry is the batch, whatever the file fixed it to: the batch
  // itself (Shape chain), -1, 0 (copy), or the batch all inputs declare,
  // usually the exporter's 1. With that literal the file's own batch keeps
  // each sample whole, so any batch does. A literal 1 while the inputs
  // declare a larger batch would merge samples ([2,3,4] -> [1,-1] is [1,24]).
  const double first = shape->values[0];
  const int64_t declared = ctx.declared_batch();
  if (!(std::isnan(first) || first == -1 || (first == 0 && allowzero == 0) ||
        (declared > 0 && first == declared) || (first == 1 && declared <= 1))) {
    return Unsupported(
        node, absl::StrCat("the target's batch entry is ", first,
                           declared > 1 ? absl::StrCat(" (the inputs declare ", declared, ")") : "",
                           "; reshaping across the batch axis is not supported"));
  }
  Dims dims;
  int infer = -1;
  int64_t known = 1;
  for (int64_t i = 1; i < shape->size(); ++i) {
    const double d = shape->values[i];
    if (std::isnan(d)) return Unsupported(node, "a non-batch target entry depends on the batch");
    int64_t e = static_cast<int64_t>(d);
    if (e == 0 && allowzero == 0) {
      if (i - 1 >= static_cast<int64_t>(v.onnx_dims.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat(NodeLabel(node), ": 0 copies a missing axis"));
      }
      e = v.onnx_dims[i - 1];
    }
    if (e == -1) {
      if (infer >= 0 || first == -1) return Unsupported(node, "more than one -1 in the target");
      infer = static_cast<int>(dims.size());
    } else if (e < 0) {
      return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": target entry ", e));
    } else {
      known *= e;
    }
    dims.push_back(e);
  }
  if (infer >= 0) {
    if (known == 0)
      return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": -1 with a 0 entry"));
    dims[infer] = NumElements(v.onnx_dims) / known;
  }
  return ReshapeTo(node, ctx, v, dims);
}

absl::Status TranslateFlatten(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(int64_t axis_attr, Attributes(node).Int("axis", 1));
  const int64_t rank = v.onnx_dims.size() + 1;
  if (axis_attr != 1 && axis_attr != 1 - rank) {
    return Unsupported(
        node, absl::StrCat("axis ", axis_attr, " merges the batch axis; only axis 1 is supported"));
  }
  return ReshapeTo(node, ctx, v, {NumElements(v.onnx_dims)});
}

absl::Status TranslateSqueeze(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue v, ctx.ValueInput(node, 0));
  const bool unsqueeze = node.op_type() == "Unsqueeze";
  std::vector<int64_t> axes;
  if (ctx.opset() >= 13) {
    if (OnnxContext::HasInput(node, 1)) {
      GS_ASSIGN_OR_RETURN(const ConstTensor* c, ctx.ConstInput(node, 1));
      for (double a : c->values) axes.push_back(static_cast<int64_t>(a));
    }
  } else {
    GS_ASSIGN_OR_RETURN(axes, Attributes(node).Ints("axes", {}));
  }
  const int64_t in_rank = v.onnx_dims.size() + 1;
  const int64_t rank = unsqueeze ? in_rank + static_cast<int64_t>(axes.size()) : in_rank;
  std::set<int> set;
  for (int64_t a : axes) {
    GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node, a, rank));
    if (axis == 0) return Unsupported(node, "changes the batch axis");
    set.insert(axis - 1);
  }
  Dims dims;
  if (unsqueeze) {
    dims = v.onnx_dims;
    for (int a : set) dims.insert(dims.begin() + a, 1);
  } else {
    for (size_t a = 0; a < v.onnx_dims.size(); ++a) {
      const bool drop = axes.empty() ? v.onnx_dims[a] == 1 : set.count(a) > 0;
      if (drop && v.onnx_dims[a] != 1) return Unsupported(node, "squeezes an axis that is not 1");
      if (!drop) dims.push_back(v.onnx_dims[a]);
    }
  }
  return ReshapeTo(node, ctx, v, dims);
}

absl::Status TranslateGemm(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue a, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* b, ctx.ConstInput(node, 1));
  Attributes attrs(node);
  GS_ASSIGN_OR_RETURN(float alpha, attrs.Float("alpha", 1.0f));
  GS_ASSIGN_OR_RETURN(float beta, attrs.Float("beta", 1.0f));
  GS_ASSIGN_OR_RETURN(int64_t trans_a, attrs.Int("transA", 0));
  GS_ASSIGN_OR_RETURN(int64_t trans_b, attrs.Int("transB", 0));
  if (trans_a != 0) return Unsupported(node, "transA=1 would mix the batch into the features");
  if (a.onnx_dims.size() != 1 || b->dims.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": A and B must be 2-D"));
  }
  const int64_t k = trans_b ? b->dims[1] : b->dims[0];
  const int64_t m = trans_b ? b->dims[0] : b->dims[1];
  if (k != a.onnx_dims[0]) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), ": A has ", a.onnx_dims[0], " features, B expects ", k));
  }
  Tensor kernel({k, m});
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < m; ++j)
      kernel.data[i * m + j] =
          alpha * static_cast<float>(trans_b ? b->values[j * k + i] : b->values[i * m + j]);
  std::optional<Tensor> bias;
  if (OnnxContext::HasInput(node, 2)) {
    GS_ASSIGN_OR_RETURN(const ConstTensor* c, ctx.ConstInput(node, 2));
    auto row = BroadcastTo(*c, {1, m});
    if (!row.ok())
      return Unsupported(
          node, absl::StrCat("C of shape ", DimsToString(c->dims), " varies along the batch"));
    bias = row->ToFloat();
    bias->shape = {m};
    for (float& x : bias->data) x *= beta;
  }
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(a, OnnxValueLayout::kOnnxOrder));
  GS_ASSIGN_OR_RETURN(int n,
                      ctx.AddNode(NodeName(node), "Gemm",
                                  std::make_shared<DenseOp>(std::move(kernel), std::move(bias),
                                                            Activation::Linear()),
                                  {src}));
  return ctx.Define(node.output(0), n, {m}, OnnxValueLayout::kOnnxOrder);
}

absl::Status TranslateMatMul(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(OnnxValue a, ctx.ValueInput(node, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* b, ctx.ConstInput(node, 1));
  if (a.onnx_dims.empty() || b->dims.size() != 2 || b->dims[0] != a.onnx_dims.back()) {
    return Unsupported(node,
                       absl::StrCat("needs A [..., K] and a constant B [K, M], got ",
                                    DimsToString(a.onnx_dims), " and ", DimsToString(b->dims)));
  }
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(a, OnnxValueLayout::kOnnxOrder));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), "MatMul",
                                         std::make_shared<DenseOp>(b->ToFloat(), std::nullopt,
                                                                   Activation::Linear()),
                                         {src}));
  Dims out = a.onnx_dims;
  out.back() = b->dims[1];
  return ctx.Define(node.output(0), n, out, OnnxValueLayout::kOnnxOrder);
}

absl::Status TranslateGather(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* table, ctx.ConstInput(node, 0));
  GS_ASSIGN_OR_RETURN(OnnxValue idx, ctx.ValueInput(node, 1));
  GS_ASSIGN_OR_RETURN(int64_t axis, Attributes(node).Int("axis", 0));
  if (axis != 0 || table->dims.size() != 2) {
    return Unsupported(node, "only a 2-D constant table gathered on axis 0 (an embedding)");
  }
  GS_ASSIGN_OR_RETURN(int src, ctx.InLayout(idx, OnnxValueLayout::kOnnxOrder));
  GS_ASSIGN_OR_RETURN(int n, ctx.AddNode(NodeName(node), "Gather",
                                         std::make_shared<EmbeddingOp>(table->ToFloat()), {src}));
  Dims out = idx.onnx_dims;
  out.push_back(table->dims[1]);
  return ctx.Define(node.output(0), n, out, OnnxValueLayout::kOnnxOrder);
}

}  // namespace ganserve
