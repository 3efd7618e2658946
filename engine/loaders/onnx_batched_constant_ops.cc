// Expand and ConstantOfShape whose target shape starts with the batch, and
// Tile whose first repeat is the batch (Shape of a batched value, folded with
// its batch entry unknown): the result is one sample's worth repeated over
// the batch. Tile of a batched value repeats each sample within itself.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_folding.h"
#include "engine/loaders/onnx_constant_tensor_ops.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/ops/concatenate.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

// The per-sample part of a target shape [batch, d1, ...]; every d known.
absl::StatusOr<Dims> SampleOfTarget(const onnx::NodeProto& node, const ConstTensor& shape) {
  if (shape.values.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": empty target shape"));
  }
  Dims sample;
  for (size_t i = 1; i < shape.values.size(); ++i) {
    const double d = shape.values[i];
    if (std::isnan(d) || d < 0 || d > (int64_t{1} << 28)) {
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": target entry ", i,
                                                   " is not a known size (only the batch may be)"));
    }
    sample.push_back(static_cast<int64_t>(d));
  }
  return sample;
}

// Tile of a batched value: per axis with a repeat above 1, a Concatenate of
// that many copies, in the layout the value is held in.
absl::Status TileBatchedValue(const onnx::NodeProto& node, const OnnxValue& v,
                              const std::vector<int64_t>& repeats, OnnxContext& ctx) {
  if (repeats.size() != v.onnx_dims.size()) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": ", repeats.size() + 1,
                                                   " repeats for a value of rank ",
                                                   v.onnx_dims.size() + 1));
  }
  Dims dims = v.onnx_dims;
  int node_id = v.node;
  for (size_t a = 0; a < repeats.size(); ++a) {
    if (repeats[a] < 1 || repeats[a] > 4096 || dims[a] * repeats[a] > (int64_t{1} << 28)) {
      return absl::UnimplementedError(
          absl::StrCat(NodeLabel(node), ": repeat ", repeats[a], " of axis ", a + 1));
    }
    if (repeats[a] == 1) continue;
    const int ir_axis =
        v.layout == OnnxValueLayout::kChannelsLast ? (static_cast<int>(a) + 2) % 3 : a;
    GS_ASSIGN_OR_RETURN(node_id, ctx.AddNode(absl::StrCat(NodeName(node), "/axis", a + 1), "Tile",
                                             std::make_shared<ConcatenateOp>(ir_axis),
                                             std::vector<int>(repeats[a], node_id)));
    dims[a] *= repeats[a];
  }
  return ctx.Define(node.output(0), node_id, dims, v.layout);
}

}  // namespace

absl::Status TranslateExpand(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* shape, ctx.ConstInput(node, 1));
  GS_ASSIGN_OR_RETURN(Dims sample, SampleOfTarget(node, *shape));
  if (const OnnxValue* v = ctx.FindValue(node.input(0))) {
    // A batched value keeps its batch; only an expand that changes nothing per sample is free.
    auto joint = BroadcastShape(v->onnx_dims, sample);
    if (!joint.ok() || *joint != v->onnx_dims) {
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": expands a batched value of ",
                                                   DimsToString(v->onnx_dims), " per sample to ",
                                                   DimsToString(sample)));
    }
    return ctx.Define(node.output(0), v->node, v->onnx_dims, v->layout);
  }
  GS_ASSIGN_OR_RETURN(const ConstTensor* data, ctx.ConstInput(node, 0));
  Dims whole{1};
  whole.insert(whole.end(), sample.begin(), sample.end());
  auto joint = BroadcastShape(data->dims, whole);
  if (!joint.ok() || (*joint)[0] != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(NodeLabel(node), ": a constant of ", DimsToString(data->dims),
                     " does not expand to [batch, ", DimsToString(sample), "]"));
  }
  GS_ASSIGN_OR_RETURN(ConstTensor expanded, BroadcastTo(*data, *joint));
  expanded.dims.erase(expanded.dims.begin());
  GS_ASSIGN_OR_RETURN(OnnxValue out, ctx.AddBatchedConstant(NodeName(node), expanded));
  return ctx.Define(node.output(0), out.node, out.onnx_dims, out.layout);
}

absl::Status TranslateConstantOfShape(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* shape, ctx.ConstInput(node, 0));
  GS_ASSIGN_OR_RETURN(Dims sample, SampleOfTarget(node, *shape));
  ConstTensor sample_shape;
  sample_shape.is_integer = true;
  sample_shape.dims = {static_cast<int64_t>(sample.size())};
  sample_shape.values.assign(sample.begin(), sample.end());
  GS_ASSIGN_OR_RETURN(ConstTensor filled, FoldConstantOfShape(node, {&sample_shape}));
  GS_ASSIGN_OR_RETURN(OnnxValue out, ctx.AddBatchedConstant(NodeName(node), filled));
  return ctx.Define(node.output(0), out.node, out.onnx_dims, out.layout);
}

absl::Status TranslateTile(const onnx::NodeProto& node, OnnxContext& ctx) {
  GS_ASSIGN_OR_RETURN(const ConstTensor* repeats, ctx.ConstInput(node, 1));
  if (repeats->values.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": no repeats"));
  }
  ConstTensor per_sample_repeats = *repeats;
  per_sample_repeats.values.erase(per_sample_repeats.values.begin());
  per_sample_repeats.dims = {per_sample_repeats.size()};
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> r, FoldInts(node, per_sample_repeats));
  if (const OnnxValue* v = ctx.FindValue(node.input(0))) {
    // A batched value keeps its batch: its first repeat must be 1.
    if (repeats->values[0] != 1) {
      const std::string times = std::isnan(repeats->values[0]) ? std::string("batch size")
                                                               : absl::StrCat(repeats->values[0]);
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": repeats the batch axis ",
                                                   times, " times (each sample is its own)"));
    }
    return TileBatchedValue(node, *v, r, ctx);
  }
  GS_ASSIGN_OR_RETURN(const ConstTensor* data, ctx.ConstInput(node, 0));
  if (data->dims.empty() || data->dims[0] != 1) {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": tiles a constant of ",
                                                 DimsToString(data->dims),
                                                 " to the batch (only a first axis of 1 is)"));
  }
  ConstTensor sample = *data;
  sample.dims.erase(sample.dims.begin());
  GS_ASSIGN_OR_RETURN(ConstTensor tiled, TileConst(node, sample, r));
  GS_ASSIGN_OR_RETURN(OnnxValue out, ctx.AddBatchedConstant(NodeName(node), tiled));
  return ctx.Define(node.output(0), out.node, out.onnx_dims, out.layout);
}

}  // namespace ganserve
