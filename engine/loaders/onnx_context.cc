#include "engine/loaders/onnx_context.h"

#include "absl/strings/str_cat.h"
#include "engine/ops/batched_constant.h"
#include "engine/ops/reshape.h"
#include "engine/ops/transpose.h"
#include "engine/status_macros.h"

namespace ganserve {

Dims IrDims(const Dims& onnx_dims, OnnxValueLayout layout) {
  if (onnx_dims.empty()) return {1};
  if (layout == OnnxValueLayout::kChannelsLast && onnx_dims.size() == 3) {
    return {onnx_dims[1], onnx_dims[2], onnx_dims[0]};
  }
  return onnx_dims;
}

bool SaneDims(const Dims& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || d >= (int64_t{1} << 31)) return false;
    n *= d;
    if (n > (int64_t{1} << 28)) return false;
  }
  return true;
}

const ConstTensor* OnnxContext::FindConst(const std::string& name) const {
  auto it = consts_.find(name);
  return it == consts_.end() ? nullptr : &it->second;
}

const OnnxValue* OnnxContext::FindValue(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

bool OnnxContext::HasInput(const onnx::NodeProto& node, int i) {
  return i < node.input_size() && !node.input(i).empty();
}

absl::StatusOr<const ConstTensor*> OnnxContext::ConstInput(const onnx::NodeProto& node,
                                                           int i) const {
  if (!HasInput(node, i)) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": input ", i, " is missing"));
  }
  const ConstTensor* c = FindConst(node.input(i));
  if (c == nullptr) {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": input ", i, " ('",
                                                 node.input(i),
                                                 "') must be a constant known at load time"));
  }
  return c;
}

absl::StatusOr<OnnxValue> OnnxContext::ValueOrBatchedConstant(const onnx::NodeProto& node, int i) {
  const ConstTensor* c = HasInput(node, i) ? FindConst(node.input(i)) : nullptr;
  if (c == nullptr) return ValueInput(node, i);
  if (c->dims.empty() || c->dims[0] != 1) {
    return absl::UnimplementedError(absl::StrCat(
        NodeLabel(node), ": input ", i, " ('", node.input(i), "') is a constant of shape ",
        DimsToString(c->dims), "; expected a batched value or a constant of batch 1"));
  }
  ConstTensor sample = *c;
  sample.dims.erase(sample.dims.begin());
  return AddBatchedConstant(absl::StrCat(NodeName(node), "_input", i), sample);
}

absl::StatusOr<OnnxValue> OnnxContext::AddBatchedConstant(const std::string& name,
                                                          const ConstTensor& per_sample) {
  if (nodes_.empty()) return absl::InternalError("a batched constant before any graph input");
  Tensor t = per_sample.ToFloat();
  t.shape = IrDims(per_sample.dims, OnnxValueLayout::kOnnxOrder);
  // Node 0 is the first graph input: it only lends its batch size.
  GS_ASSIGN_OR_RETURN(int n, AddNode(name, std::string(BatchedConstantOp::kType),
                                     std::make_shared<BatchedConstantOp>(std::move(t)), {0}));
  return OnnxValue{n, per_sample.dims, OnnxValueLayout::kOnnxOrder};
}

absl::StatusOr<OnnxValue> OnnxContext::ValueInput(const onnx::NodeProto& node, int i) const {
  if (!HasInput(node, i)) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": input ", i, " is missing"));
  }
  const OnnxValue* v = FindValue(node.input(i));
  if (v == nullptr) {
    if (FindConst(node.input(i)) != nullptr) {
      return absl::UnimplementedError(absl::StrCat(NodeLabel(node), ": input ", i, " ('",
                                                   node.input(i),
                                                   "') is a constant; expected a batched value"));
    }
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), ": input '", node.input(i),
                                                   "' is not produced by any earlier node"));
  }
  return *v;
}

absl::StatusOr<int> OnnxContext::AddNode(const std::string& name, const std::string& class_name,
                                         std::shared_ptr<const Op> op, std::vector<int> inputs) {
  std::vector<Dims> in_dims;
  for (int i : inputs) in_dims.push_back(nodes_[i].output_dims);
  auto dims = op->InferShape(in_dims);
  if (dims.ok() && !SaneDims(*dims)) {
    dims = absl::InvalidArgumentError(
        absl::StrCat("output shape ", DimsToString(*dims), " is too large"));
  }
  if (!dims.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(class_name, " node '", name, "': ", dims.status().message()));
  }
  Node n;
  n.name = name;
  n.class_name = class_name;
  n.op = std::move(op);
  n.inputs = std::move(inputs);
  n.output_dims = *std::move(dims);
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

absl::StatusOr<int> OnnxContext::InLayout(const OnnxValue& v, OnnxValueLayout layout) {
  if (v.layout == layout || v.onnx_dims.size() != 3) return v.node;
  auto key = std::make_pair(v.node, layout);
  if (auto it = transposed_.find(key); it != transposed_.end()) return it->second;
  // (C,H,W) -> (H,W,C) is perm {1,2,0}; back is {2,0,1}.
  std::vector<int> perm = layout == OnnxValueLayout::kChannelsLast ? std::vector<int>{1, 2, 0}
                                                                   : std::vector<int>{2, 0, 1};
  const std::string suffix = layout == OnnxValueLayout::kChannelsLast ? "/to_nhwc" : "/to_nchw";
  GS_ASSIGN_OR_RETURN(int t, AddNode(nodes_[v.node].name + suffix, std::string(TransposeOp::kType),
                                     std::make_shared<TransposeOp>(perm), {v.node}));
  transposed_[key] = t;
  return t;
}

absl::Status OnnxContext::Define(const std::string& output_name, int ir_node, Dims onnx_dims,
                                 OnnxValueLayout layout) {
  if (onnx_dims.size() != 3) layout = OnnxValueLayout::kOnnxOrder;
  if (!SaneDims(onnx_dims)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", output_name, "' has shape ", DimsToString(onnx_dims), ", which is too large"));
  }
  Dims want = IrDims(onnx_dims, layout);
  if (nodes_[ir_node].output_dims != want) {
    if (NumElements(nodes_[ir_node].output_dims) != NumElements(want)) {
      return absl::InternalError(
          absl::StrCat("'", output_name, "': IR shape ", DimsToString(nodes_[ir_node].output_dims),
                       " does not match ONNX shape ", DimsToString(onnx_dims)));
    }
    GS_ASSIGN_OR_RETURN(ir_node, AddNode(output_name + "/reshape", std::string(ReshapeOp::kType),
                                         std::make_shared<ReshapeOp>(want), {ir_node}));
  }
  values_[output_name] = OnnxValue{ir_node, std::move(onnx_dims), layout};
  return absl::OkStatus();
}

int OnnxContext::ConsumerCount(const std::string& name) const {
  auto it = consumers_.find(name);
  return it == consumers_.end() ? 0 : it->second;
}

void OnnxContext::NoteDeclaredBatch(int64_t batch) {
  if (batch <= 0 || (declared_batch_ != 0 && declared_batch_ != batch)) {
    declared_batch_ = -1;
  } else if (declared_batch_ == 0) {
    declared_batch_ = batch;
  }
}

void OnnxContext::CountConsumers(const onnx::GraphProto& graph) {
  for (const auto& n : graph.node()) {
    for (const auto& in : n.input()) ++consumers_[in];
  }
  for (const auto& out : graph.output()) ++consumers_[out.name()];
}

}  // namespace ganserve
