#include "engine/loaders/onnx_loader.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "engine/loaders/onnx_constant_folding.h"
#include "engine/loaders/onnx_context.h"
#include "engine/loaders/onnx_op_table.h"
#include "engine/loaders/onnx_proto_reader.h"
#include "engine/ops/input.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

constexpr int kMaxNodes = 100000;

absl::StatusOr<int64_t> DefaultOpset(const onnx::ModelProto& model) {
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  }
  return absl::InvalidArgumentError("ONNX model imports no default-domain opset");
}

// A graph input becomes an IR Input with the file's per-sample dims; the
// declared batch (often fixed at 1 by the exporter) is only noted, for
// Reshape targets that spell it out.
absl::Status AddGraphInput(const onnx::ValueInfoProto& info, OnnxContext& ctx,
                           std::vector<int>& inputs) {
  const auto& type = info.type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) {
    return absl::UnimplementedError(absl::StrCat("input '", info.name(), "' has no tensor shape"));
  }
  const int elem = type.tensor_type().elem_type();
  if (elem != onnx::TensorProto::FLOAT && elem != onnx::TensorProto::DOUBLE &&
      elem != onnx::TensorProto::INT64 && elem != onnx::TensorProto::INT32) {
    return absl::UnimplementedError(absl::StrCat("input '", info.name(), "' has element type ",
                                                 elem, "; expected float or integer labels"));
  }
  const auto& dims = type.tensor_type().shape().dim();
  if (dims.empty()) {
    return absl::UnimplementedError(
        absl::StrCat("input '", info.name(), "' is a scalar; need a batch axis"));
  }
  Dims sample;
  for (int i = 1; i < dims.size(); ++i) {
    if (!dims[i].has_dim_value() || dims[i].dim_value() <= 0) {
      return absl::UnimplementedError(
          absl::StrCat("input '", info.name(), "' axis ", i, " has no fixed size"));
    }
    sample.push_back(dims[i].dim_value());
  }
  if (!SaneDims(sample)) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", info.name(), "' is too large: ", DimsToString(sample)));
  }
  GS_ASSIGN_OR_RETURN(
      int n,
      ctx.AddNode(info.name(), "InputLayer",
                  std::make_shared<InputOp>(IrDims(sample, OnnxValueLayout::kOnnxOrder)), {}));
  inputs.push_back(n);
  ctx.NoteDeclaredBatch(dims[0].has_dim_value() ? dims[0].dim_value() : -1);
  return ctx.Define(info.name(), n, sample, OnnxValueLayout::kOnnxOrder);
}

absl::Status TranslateNode(const onnx::NodeProto& node, OnnxContext& ctx) {
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    return absl::UnimplementedError(absl::StrCat(NodeLabel(node), " is in domain '", node.domain(),
                                                 "', which is not supported"));
  }
  if (node.output_size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(NodeLabel(node), " has no outputs"));
  }
  if (IsFoldable(node.op_type())) {
    std::vector<const ConstTensor*> in;
    bool all_const = true;
    for (int i = 0; i < node.input_size(); ++i) {
      const ConstTensor* c = node.input(i).empty() ? nullptr : ctx.FindConst(node.input(i));
      if (c == nullptr && !node.input(i).empty()) all_const = false;
      in.push_back(c);
    }
    if (all_const && !MakesABatch(node, in)) {
      GS_ASSIGN_OR_RETURN(std::vector<ConstTensor> out, FoldNode(node, in, ctx.opset()));
      for (size_t i = 0; i < out.size() && static_cast<int>(i) < node.output_size(); ++i) {
        if (!SaneDims(out[i].dims)) {
          return absl::InvalidArgumentError(
              absl::StrCat(NodeLabel(node), " folds to a huge tensor"));
        }
        ctx.SetConst(node.output(i), std::move(out[i]));
      }
      return absl::OkStatus();
    }
  }
  OnnxTranslator translate = FindOnnxTranslator(node.op_type());
  if (translate == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat(NodeLabel(node), ": ONNX op ", node.op_type(), " is not supported"));
  }
  GS_RETURN_IF_ERROR(translate(node, ctx));
  if (ctx.FindValue(node.output(0)) == nullptr && ctx.FindConst(node.output(0)) == nullptr) {
    return absl::InternalError(absl::StrCat(NodeLabel(node), " produced no value"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LoadedModel> Load(const onnx::ModelProto& model) {
  const onnx::GraphProto& graph = model.graph();
  GS_ASSIGN_OR_RETURN(int64_t opset, DefaultOpset(model));
  if (graph.node_size() > kMaxNodes) {
    return absl::InvalidArgumentError(absl::StrCat("graph has ", graph.node_size(), " nodes"));
  }
  OnnxContext ctx(opset);
  ctx.CountConsumers(graph);
  std::set<std::string> initializers;
  for (const auto& t : graph.initializer()) {
    GS_ASSIGN_OR_RETURN(ConstTensor c, ConstFromTensorProto(t));
    initializers.insert(t.name());
    ctx.SetConst(t.name(), std::move(c));
  }
  std::vector<int> inputs;
  for (const auto& info : graph.input()) {
    if (initializers.count(info.name()) == 0) GS_RETURN_IF_ERROR(AddGraphInput(info, ctx, inputs));
  }
  if (inputs.empty()) return absl::InvalidArgumentError("ONNX graph has no inputs");
  for (const auto& node : graph.node()) GS_RETURN_IF_ERROR(TranslateNode(node, ctx));
  if (graph.output_size() != 1) {
    return absl::UnimplementedError(absl::StrCat("ONNX graph has ", graph.output_size(),
                                                 " outputs; expected one image output"));
  }
  const std::string& out_name = graph.output(0).name();
  const OnnxValue* out = ctx.FindValue(out_name);
  if (out == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("graph output '", out_name, "' is not computed from the inputs"));
  }
  GS_ASSIGN_OR_RETURN(int out_node, ctx.InLayout(*out, OnnxValueLayout::kOnnxOrder));
  const bool image = out->onnx_dims.size() == 3;
  GS_ASSIGN_OR_RETURN(Graph g, Graph::Create(ctx.TakeNodes(), inputs, out_node));
  LoadedModel m;
  m.graph = std::make_shared<const Graph>(std::move(g));
  m.format = "onnx";
  m.saver_version = absl::StrCat(model.producer_name(), " ", model.producer_version());
  m.model_name = graph.name();
  m.output_layout = image ? SampleLayout::kChannelsFirst : SampleLayout::kChannelsLast;
  return m;
}

}  // namespace

absl::StatusOr<LoadedModel> LoadOnnxModelFromBytes(const std::string& bytes) {
  GS_ASSIGN_OR_RETURN(onnx::ModelProto model, ParseOnnxBytes(bytes));
  return Load(model);
}

absl::StatusOr<LoadedModel> LoadOnnxModel(const std::string& path) {
  GS_ASSIGN_OR_RETURN(onnx::ModelProto model, ReadOnnxFile(path));
  auto loaded = Load(model);
  if (!loaded.ok()) return WithFile(path, loaded.status());
  return loaded;
}

}  // namespace ganserve
