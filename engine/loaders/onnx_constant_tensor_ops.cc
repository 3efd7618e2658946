#include "engine/loaders/onnx_constant_tensor_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_folding.h"
#include "engine/loaders/onnx_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Bad(const onnx::NodeProto& node, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": ", what));
}

std::vector<int64_t> Strides(const Dims& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (int a = static_cast<int>(dims.size()) - 2; a >= 0; --a)
    strides[a] = strides[a + 1] * dims[a + 1];
  return strides;
}

// Copies `out.dims`' elements from `src`, element k at the source offset
// `origin` + sum(coord[a] * step[a]).
void Gather(const ConstTensor& src, int64_t origin, const std::vector<int64_t>& step,
            ConstTensor& out) {
  const int64_t n = NumElements(out.dims);
  out.values.resize(n);
  for (int64_t k = 0; k < n; ++k) {
    int64_t rem = k, offset = origin;
    for (int a = static_cast<int>(out.dims.size()) - 1; a >= 0; --a) {
      offset += (rem % out.dims[a]) * step[a];
      rem /= out.dims[a];
    }
    out.values[k] = src.values[offset];
  }
}

}  // namespace

absl::StatusOr<ConstTensor> FoldConstantOfShape(const onnx::NodeProto& node,
                                                const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* shape, FoldInput(node, in, 0));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> dims, FoldInts(node, *shape));
  ConstTensor out;
  for (int64_t d : dims) {
    if (d < 0 || d > (int64_t{1} << 28)) return Bad(node, absl::StrCat("shape entry ", d));
    out.dims.push_back(d);
  }
  if (!SaneDims(out.dims))
    return Bad(node, absl::StrCat("shape ", DimsToString(out.dims), " is too large"));
  double fill = 0.0;
  if (const auto* a = Attributes(node).Find("value")) {
    GS_ASSIGN_OR_RETURN(ConstTensor value, ConstFromTensorProto(a->t()));
    if (value.size() != 1) return Bad(node, "value must hold one element");
    fill = value.values[0];
    out.is_integer = value.is_integer;
  }
  out.values.assign(NumElements(out.dims), fill);
  return out;
}

absl::StatusOr<ConstTensor> FoldSlice(const onnx::NodeProto& node, const ConstInputs& in,
                                      int64_t opset) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* data, FoldInput(node, in, 0));
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    Attributes attrs(node);
    GS_ASSIGN_OR_RETURN(starts, attrs.Ints("starts", {}));
    GS_ASSIGN_OR_RETURN(ends, attrs.Ints("ends", {}));
    GS_ASSIGN_OR_RETURN(axes, attrs.Ints("axes", {}));
  } else {
    GS_ASSIGN_OR_RETURN(const ConstTensor* s, FoldInput(node, in, 1));
    GS_ASSIGN_OR_RETURN(const ConstTensor* e, FoldInput(node, in, 2));
    GS_ASSIGN_OR_RETURN(starts, FoldInts(node, *s));
    GS_ASSIGN_OR_RETURN(ends, FoldInts(node, *e));
    if (in.size() > 3 && in[3]) {
      GS_ASSIGN_OR_RETURN(axes, FoldInts(node, *in[3]));
    }
    if (in.size() > 4 && in[4]) {
      GS_ASSIGN_OR_RETURN(steps, FoldInts(node, *in[4]));
    }
  }
  const int64_t rank = data->dims.size();
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return Bad(node, "starts, ends, axes and steps differ in length");
  std::vector<int64_t> first(rank, 0), step(rank, 1);
  ConstTensor out;
  out.dims = data->dims;
  out.is_integer = data->is_integer;
  for (size_t i = 0; i < starts.size(); ++i) {
    GS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axes[i], rank));
    const int64_t dim = data->dims[axis];
    if (steps[i] == 0) return Bad(node, "a step is 0");
    // A step longer than the axis takes one element either way; clamped, the
    // size arithmetic below cannot overflow.
    steps[i] = std::clamp<int64_t>(steps[i], -dim - 1, dim + 1);
    int64_t start = starts[i] < 0 ? std::max<int64_t>(starts[i], -dim) + dim : starts[i];
    int64_t end = ends[i] < 0 ? std::max<int64_t>(ends[i], -dim - 1) + dim : ends[i];
    if (steps[i] > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      out.dims[axis] = std::max<int64_t>(0, (end - start + steps[i] - 1) / steps[i]);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      out.dims[axis] = std::max<int64_t>(0, (start - end - steps[i] - 1) / -steps[i]);
    }
    first[axis] = start;
    step[axis] = steps[i];
  }
  const std::vector<int64_t> strides = Strides(data->dims);
  int64_t origin = 0;
  std::vector<int64_t> offset_step(rank);
  for (int64_t a = 0; a < rank; ++a) {
    origin += first[a] * strides[a];
    offset_step[a] = step[a] * strides[a];
  }
  Gather(*data, origin, offset_step, out);
  return out;
}

absl::StatusOr<ConstTensor> FoldTranspose(const onnx::NodeProto& node, const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* data, FoldInput(node, in, 0));
  const int64_t rank = data->dims.size();
  std::vector<int64_t> reversed(rank);
  for (int64_t a = 0; a < rank; ++a) reversed[a] = rank - 1 - a;
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> perm, Attributes(node).Ints("perm", reversed));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity) return Bad(node, "perm is not a permutation of the axes");
  const std::vector<int64_t> strides = Strides(data->dims);
  ConstTensor out;
  out.is_integer = data->is_integer;
  std::vector<int64_t> step(rank);
  for (int64_t a = 0; a < rank; ++a) {
    out.dims.push_back(data->dims[perm[a]]);
    step[a] = strides[perm[a]];
  }
  Gather(*data, 0, step, out);
  return out;
}

absl::StatusOr<ConstTensor> FoldComparison(const onnx::NodeProto& node, const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* a, FoldInput(node, in, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* b, FoldInput(node, in, 1));
  GS_ASSIGN_OR_RETURN(Dims dims, BroadcastShape(a->dims, b->dims));
  GS_ASSIGN_OR_RETURN(ConstTensor x, BroadcastTo(*a, dims));
  GS_ASSIGN_OR_RETURN(ConstTensor y, BroadcastTo(*b, dims));
  const std::string& op = node.op_type();
  for (int64_t i = 0; i < x.size(); ++i) {
    const double p = x.values[i], q = y.values[i];
    const bool holds = op == "Equal"            ? p == q
                       : op == "Greater"        ? p > q
                       : op == "Less"           ? p < q
                       : op == "GreaterOrEqual" ? p >= q
                                                : p <= q;
    x.values[i] = holds ? 1.0 : 0.0;
  }
  x.is_integer = true;
  return x;
}

absl::StatusOr<ConstTensor> FoldNot(const onnx::NodeProto& node, const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* a, FoldInput(node, in, 0));
  ConstTensor x = *a;
  for (double& v : x.values) v = v == 0.0 ? 1.0 : 0.0;
  x.is_integer = true;
  return x;
}

absl::StatusOr<ConstTensor> FoldWhere(const onnx::NodeProto& node, const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* c, FoldInput(node, in, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* a, FoldInput(node, in, 1));
  GS_ASSIGN_OR_RETURN(const ConstTensor* b, FoldInput(node, in, 2));
  GS_ASSIGN_OR_RETURN(Dims ab, BroadcastShape(a->dims, b->dims));
  GS_ASSIGN_OR_RETURN(Dims dims, BroadcastShape(c->dims, ab));
  GS_ASSIGN_OR_RETURN(ConstTensor cond, BroadcastTo(*c, dims));
  GS_ASSIGN_OR_RETURN(ConstTensor x, BroadcastTo(*a, dims));
  GS_ASSIGN_OR_RETURN(ConstTensor y, BroadcastTo(*b, dims));
  for (int64_t i = 0; i < x.size(); ++i) {
    if (cond.values[i] == 0.0) x.values[i] = y.values[i];
  }
  x.is_integer = a->is_integer && b->is_integer;
  return x;
}

absl::StatusOr<ConstTensor> FoldExpand(const onnx::NodeProto& node, const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* data, FoldInput(node, in, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* shape, FoldInput(node, in, 1));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> target, FoldInts(node, *shape));
  for (int64_t d : target) {
    if (d < 0) return Bad(node, absl::StrCat("shape entry ", d));
  }
  auto dims = BroadcastShape(data->dims, Dims(target.begin(), target.end()));
  if (!dims.ok()) return Bad(node, std::string(dims.status().message()));
  auto out = BroadcastTo(*data, *dims);
  if (!out.ok()) return Bad(node, std::string(out.status().message()));
  return *std::move(out);
}

absl::StatusOr<ConstTensor> TileConst(const onnx::NodeProto& node, const ConstTensor& data,
                                      const std::vector<int64_t>& repeats) {
  if (repeats.size() != data.dims.size()) {
    return Bad(node,
               absl::StrCat(repeats.size(), " repeats for an input of rank ", data.dims.size()));
  }
  ConstTensor out;
  out.is_integer = data.is_integer;
  for (size_t a = 0; a < repeats.size(); ++a) {
    if (repeats[a] < 0 || repeats[a] > (int64_t{1} << 28)) {
      return Bad(node, absl::StrCat("repeat ", repeats[a], " on axis ", a));
    }
    out.dims.push_back(data.dims[a] * repeats[a]);
  }
  if (!SaneDims(out.dims)) return Bad(node, "tiles to a huge tensor");
  const std::vector<int64_t> strides = Strides(data.dims);
  const int64_t n = NumElements(out.dims);
  out.values.resize(n);
  for (int64_t k = 0; k < n; ++k) {
    int64_t rem = k, offset = 0;
    for (int a = static_cast<int>(out.dims.size()) - 1; a >= 0; --a) {
      offset += (rem % out.dims[a]) % data.dims[a] * strides[a];
      rem /= out.dims[a];
    }
    out.values[k] = data.values[offset];
  }
  return out;
}

absl::StatusOr<ConstTensor> FoldTile(const onnx::NodeProto& node, const ConstInputs& in) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* data, FoldInput(node, in, 0));
  GS_ASSIGN_OR_RETURN(const ConstTensor* repeats, FoldInput(node, in, 1));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> r, FoldInts(node, *repeats));
  return TileConst(node, *data, r);
}

}  // namespace ganserve
