#include "engine/loaders/onnx_constant_folding.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_tensor_ops.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

using Folded = absl::StatusOr<std::vector<ConstTensor>>;

absl::Status Bad(const onnx::NodeProto& node, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": ", what));
}

Folded Constant(const onnx::NodeProto& node) {
  Attributes attrs(node);
  ConstTensor c;
  if (const auto* a = attrs.Find("value")) {
    GS_ASSIGN_OR_RETURN(c, ConstFromTensorProto(a->t()));
  } else if (const auto* a = attrs.Find("value_float")) {
    c.values = {a->f()};
  } else if (const auto* a = attrs.Find("value_int")) {
    c.values = {static_cast<double>(a->i())};
    c.is_integer = true;
  } else if (const auto* a = attrs.Find("value_floats")) {
    c.values.assign(a->floats().begin(), a->floats().end());
    c.dims = {c.size()};
  } else if (const auto* a = attrs.Find("value_ints")) {
    c.values.assign(a->ints().begin(), a->ints().end());
    c.dims = {c.size()};
    c.is_integer = true;
  } else {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": unsupported value kind"));
  }
  return std::vector<ConstTensor>{std::move(c)};
}

Folded Gather(const onnx::NodeProto& node, const ConstTensor& data, const ConstTensor& idx) {
  GS_ASSIGN_OR_RETURN(int64_t axis_attr, Attributes(node).Int("axis", 0));
  GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_attr, data.dims.size()));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> indices, FoldInts(node, idx));
  int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= data.dims[a];
  for (size_t a = axis + 1; a < data.dims.size(); ++a) inner *= data.dims[a];
  const int64_t n = data.dims[axis];
  ConstTensor out;
  out.is_integer = data.is_integer;
  out.dims.assign(data.dims.begin(), data.dims.begin() + axis);
  out.dims.insert(out.dims.end(), idx.dims.begin(), idx.dims.end());
  out.dims.insert(out.dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i : indices) {
      if (i < -n || i >= n) return Bad(node, absl::StrCat("index ", i, " is out of range"));
      const int64_t row = i < 0 ? i + n : i;
      for (int64_t k = 0; k < inner; ++k)
        out.values.push_back(data.values[(o * n + row) * inner + k]);
    }
  }
  return std::vector<ConstTensor>{std::move(out)};
}

absl::StatusOr<std::vector<int64_t>> AxesOf(const onnx::NodeProto& node,
                                            const std::vector<const ConstTensor*>& in,
                                            int64_t opset) {
  if (opset >= 13) {
    if (in.size() < 2 || in[1] == nullptr) return std::vector<int64_t>{};
    return FoldInts(node, *in[1]);
  }
  return Attributes(node).Ints("axes", {});
}

Folded Unsqueeze(const onnx::NodeProto& node, const std::vector<const ConstTensor*>& in,
                 int64_t opset) {
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesOf(node, in, opset));
  ConstTensor out = *in[0];
  const int64_t rank = out.dims.size() + axes.size();
  std::set<int> sorted;
  for (int64_t a : axes) {
    GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(a, rank));
    sorted.insert(axis);
  }
  for (int axis : sorted) out.dims.insert(out.dims.begin() + axis, 1);
  return std::vector<ConstTensor>{std::move(out)};
}

Folded Squeeze(const onnx::NodeProto& node, const std::vector<const ConstTensor*>& in,
               int64_t opset) {
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, AxesOf(node, in, opset));
  ConstTensor out = *in[0];
  std::set<int> drop;
  for (int64_t a : axes) {
    GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(a, out.dims.size()));
    if (out.dims[axis] != 1) return Bad(node, "squeezes an axis that is not 1");
    drop.insert(axis);
  }
  Dims dims;
  for (size_t a = 0; a < out.dims.size(); ++a) {
    const bool squeeze = axes.empty() ? out.dims[a] == 1 : drop.count(a) > 0;
    if (!squeeze) dims.push_back(out.dims[a]);
  }
  out.dims = dims;
  return std::vector<ConstTensor>{std::move(out)};
}

Folded Concat(const onnx::NodeProto& node, const std::vector<const ConstTensor*>& in) {
  GS_ASSIGN_OR_RETURN(int64_t axis_attr, Attributes(node).Int("axis", 0));
  if (in.empty() || in[0] == nullptr) return Bad(node, "has no inputs");
  const Dims& first = in[0]->dims;
  GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_attr, first.size()));
  ConstTensor out;
  out.dims = first;
  out.dims[axis] = 0;
  out.is_integer = in[0]->is_integer;
  int64_t outer = 1;
  for (int a = 0; a < axis; ++a) outer *= first[a];
  for (const ConstTensor* c : in) {
    if (c == nullptr || c->dims.size() != first.size()) return Bad(node, "inputs differ in rank");
    out.dims[axis] += c->dims[axis];
  }
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConstTensor* c : in) {
      const int64_t chunk = c->size() / std::max<int64_t>(outer, 1);
      out.values.insert(out.values.end(), c->values.begin() + o * chunk,
                        c->values.begin() + (o + 1) * chunk);
    }
  }
  if (out.size() != NumElements(out.dims)) return Bad(node, "inputs have mismatched shapes");
  return std::vector<ConstTensor>{std::move(out)};
}

Folded Reshape(const onnx::NodeProto& node, const ConstTensor& data, const ConstTensor& shape) {
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> target, FoldInts(node, shape));
  ConstTensor out = data;
  out.dims.clear();
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && i < data.dims.size()) d = data.dims[i];
    if (d == -1) {
      if (infer >= 0) return Bad(node, "has two -1 entries");
      infer = i;
    } else if (d < 0) {
      return Bad(node, absl::StrCat("invalid target entry ", d));
    } else {
      known *= d;
    }
    out.dims.push_back(d);
  }
  if (infer >= 0 && known > 0) out.dims[infer] = data.size() / known;
  if (NumElements(out.dims) != data.size()) return Bad(node, "target size differs from input");
  return std::vector<ConstTensor>{std::move(out)};
}

Folded Arithmetic(const onnx::NodeProto& node, const ConstTensor& a, const ConstTensor& b) {
  GS_ASSIGN_OR_RETURN(Dims dims, BroadcastShape(a.dims, b.dims));
  GS_ASSIGN_OR_RETURN(ConstTensor x, BroadcastTo(a, dims));
  GS_ASSIGN_OR_RETURN(ConstTensor y, BroadcastTo(b, dims));
  const std::string& op = node.op_type();
  const bool integer = a.is_integer && b.is_integer;
  for (int64_t i = 0; i < x.size(); ++i) {
    double& v = x.values[i];
    const double w = y.values[i];
    if (op == "Add")
      v += w;
    else if (op == "Sub")
      v -= w;
    else if (op == "Mul")
      v *= w;
    else
      v = integer ? std::trunc(v / w) : v / w;
  }
  x.is_integer = integer;
  return std::vector<ConstTensor>{std::move(x)};
}

Folded Cast(const onnx::NodeProto& node, ConstTensor c) {
  GS_ASSIGN_OR_RETURN(int64_t to, Attributes(node).Int("to", 1));
  const bool to_float = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE ||
                        to == onnx::TensorProto::FLOAT16;
  if (!to_float) {
    for (double& v : c.values) v = std::trunc(v);
  }
  c.is_integer = !to_float;
  return std::vector<ConstTensor>{std::move(c)};
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> FoldInts(const onnx::NodeProto& node, const ConstTensor& c) {
  std::vector<int64_t> out;
  for (double v : c.values) {
    if (std::isnan(v)) return Bad(node, "an axis, index or shape entry depends on the batch size");
    if (v >= 9.2e18) {
      out.push_back(std::numeric_limits<int64_t>::max());
    } else if (v <= -9.2e18) {
      out.push_back(std::numeric_limits<int64_t>::min());
    } else {
      out.push_back(static_cast<int64_t>(v));
    }
  }
  return out;
}

absl::StatusOr<const ConstTensor*> FoldInput(const onnx::NodeProto& node,
                                             const std::vector<const ConstTensor*>& in, size_t i) {
  if (i >= in.size() || in[i] == nullptr)
    return Bad(node, absl::StrCat("input ", i, " is missing"));
  return in[i];
}

absl::StatusOr<int> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis, " is out of range for rank ", rank));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

absl::StatusOr<int> NormalizeAxis(const onnx::NodeProto& node, int64_t axis, int64_t rank) {
  auto normalized = NormalizeAxis(axis, rank);
  if (normalized.ok()) return normalized;
  return absl::InvalidArgumentError(
      absl::StrCat(NodeLabel(node), ": ", normalized.status().message()));
}

absl::StatusOr<Dims> BroadcastShape(const Dims& a, const Dims& b) {
  Dims out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t x = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t y = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("shapes ", DimsToString(a), " and ", DimsToString(b), " do not broadcast"));
    }
    out[i] = x == 1 ? y : x;
  }
  return out;
}

absl::StatusOr<ConstTensor> BroadcastTo(const ConstTensor& c, const Dims& target) {
  GS_ASSIGN_OR_RETURN(Dims joint, BroadcastShape(c.dims, target));
  if (joint != target) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot broadcast ", DimsToString(c.dims), " to ", DimsToString(target)));
  }
  if (NumElements(target) > (int64_t{1} << 28)) {
    return absl::InvalidArgumentError(
        absl::StrCat("broadcast shape ", DimsToString(target), " is too large"));
  }
  ConstTensor out;
  out.dims = target;
  out.is_integer = c.is_integer;
  const int64_t n = NumElements(target);
  out.values.resize(n);
  const size_t lead = target.size() - c.dims.size();
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, src = 0, stride = 1;
    for (int a = static_cast<int>(target.size()) - 1; a >= 0; --a) {
      const int64_t coord = rem % target[a];
      rem /= target[a];
      if (a >= static_cast<int>(lead)) {
        const int64_t d = c.dims[a - lead];
        src += (d == 1 ? 0 : coord) * stride;
        stride *= d;
      }
    }
    out.values[i] = c.values[src];
  }
  return out;
}

bool IsFoldable(const std::string& op) {
  static const std::set<std::string> kOps = {"Constant",
                                             "Identity",
                                             "Cast",
                                             "Gather",
                                             "Unsqueeze",
                                             "Squeeze",
                                             "Concat",
                                             "Reshape",
                                             "Add",
                                             "Sub",
                                             "Mul",
                                             "Div",
                                             "Shape",
                                             "Slice",
                                             "Transpose",
                                             "Equal",
                                             "Where",
                                             "Expand",
                                             "ConstantOfShape",
                                             "Tile",
                                             "Greater",
                                             "Less",
                                             "GreaterOrEqual",
                                             "LessOrEqual",
                                             "Not"};
  return kOps.count(op) > 0;
}

bool MakesABatch(const onnx::NodeProto& node, const std::vector<const ConstTensor*>& in) {
  const std::string& op = node.op_type();
  const size_t shape_input = op == "Expand" || op == "Tile" ? 1
                             : op == "ConstantOfShape"      ? 0
                                                            : in.size();
  if (shape_input >= in.size() || in[shape_input] == nullptr) return false;
  const std::vector<double>& shape = in[shape_input]->values;
  return !shape.empty() && std::isnan(shape[0]);
}

Folded FoldNode(const onnx::NodeProto& node, const std::vector<const ConstTensor*>& in,
                int64_t opset) {
  const std::string& op = node.op_type();
  if (op == "Constant") return Constant(node);
  auto one = [](absl::StatusOr<ConstTensor> c) -> Folded {
    if (!c.ok()) return c.status();
    return std::vector<ConstTensor>{*std::move(c)};
  };
  if (op == "ConstantOfShape") return one(FoldConstantOfShape(node, in));
  if (op == "Slice") return one(FoldSlice(node, in, opset));
  if (op == "Transpose") return one(FoldTranspose(node, in));
  if (op == "Equal" || op == "Greater" || op == "Less" || op == "GreaterOrEqual" ||
      op == "LessOrEqual") {
    return one(FoldComparison(node, in));
  }
  if (op == "Not") return one(FoldNot(node, in));
  if (op == "Where") return one(FoldWhere(node, in));
  if (op == "Expand") return one(FoldExpand(node, in));
  if (op == "Tile") return one(FoldTile(node, in));
  GS_ASSIGN_OR_RETURN(const ConstTensor* x, FoldInput(node, in, 0));
  if (op == "Identity") return std::vector<ConstTensor>{*x};
  if (op == "Cast") return Cast(node, *x);
  if (op == "Unsqueeze") return Unsqueeze(node, in, opset);
  if (op == "Squeeze") return Squeeze(node, in, opset);
  if (op == "Concat") return Concat(node, in);
  if (op == "Shape") {
    ConstTensor s;
    s.is_integer = true;
    s.dims = {static_cast<int64_t>(x->dims.size())};
    s.values.assign(x->dims.begin(), x->dims.end());
    return std::vector<ConstTensor>{std::move(s)};
  }
  GS_ASSIGN_OR_RETURN(const ConstTensor* y, FoldInput(node, in, 1));
  if (op == "Gather") return Gather(node, *x, *y);
  if (op == "Reshape") return Reshape(node, *x, *y);
  return Arithmetic(node, *x, *y);
}

}  // namespace ganserve
