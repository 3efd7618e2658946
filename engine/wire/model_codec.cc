#include "engine/wire/model_codec.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "engine/wire/op_codec.h"
#include "engine/wire/wire_reader.h"
#include "engine/wire/wire_writer.h"

namespace ganserve {
namespace {

absl::StatusOr<int> NodeIndex(WireReader& in, absl::string_view field, uint32_t below) {
  GS_ASSIGN_OR_RETURN(uint32_t i, in.U32(field));
  if (i >= below) {
    return absl::InvalidArgumentError(
        absl::StrCat("loader answer: ", field, " ", i, " is not below ", below));
  }
  return static_cast<int>(i);
}

absl::Status EncodeGraph(const Graph& graph, WireWriter& out) {
  out.U32(static_cast<uint32_t>(graph.nodes().size()));
  for (const Node& node : graph.nodes()) {
    out.String(node.name);
    out.String(node.class_name);
    GS_RETURN_IF_ERROR(EncodeOp(*node.op, out));
    out.U32(static_cast<uint32_t>(node.inputs.size()));
    for (int i : node.inputs) out.U32(static_cast<uint32_t>(i));
  }
  out.U32(static_cast<uint32_t>(graph.inputs().size()));
  for (int i : graph.inputs()) out.U32(static_cast<uint32_t>(i));
  out.U32(static_cast<uint32_t>(graph.output()));
  return absl::OkStatus();
}

absl::StatusOr<Graph> DecodeGraph(WireReader& in) {
  GS_ASSIGN_OR_RETURN(uint32_t count, in.Count("node count", kMaxWireNodes));
  std::vector<Node> nodes;
  for (uint32_t n = 0; n < count; ++n) {
    Node node;
    GS_ASSIGN_OR_RETURN(node.name, in.String("node name"));
    GS_ASSIGN_OR_RETURN(node.class_name, in.String("node class"));
    GS_ASSIGN_OR_RETURN(node.op, DecodeOp(in));
    GS_ASSIGN_OR_RETURN(uint32_t inputs, in.Count("node input count", kMaxWireNodeInputs));
    for (uint32_t i = 0; i < inputs; ++i) {
      GS_ASSIGN_OR_RETURN(int from, NodeIndex(in, "node input", n));
      node.inputs.push_back(from);
    }
    nodes.push_back(std::move(node));
  }
  GS_ASSIGN_OR_RETURN(uint32_t input_count, in.Count("graph input count", count));
  std::vector<int> inputs;
  for (uint32_t i = 0; i < input_count; ++i) {
    GS_ASSIGN_OR_RETURN(int node, NodeIndex(in, "graph input", count));
    inputs.push_back(node);
  }
  GS_ASSIGN_OR_RETURN(int output, NodeIndex(in, "graph output", count));
  return Graph::Create(std::move(nodes), std::move(inputs), output);
}

}  // namespace

absl::StatusOr<std::string> EncodeLoadedModel(const LoadedModel& model) {
  WireWriter body;
  body.String(model.format);
  body.String(model.saver_version);
  body.String(model.model_name);
  body.Bool(model.sequential);
  body.U8(static_cast<uint8_t>(model.output_layout));
  GS_RETURN_IF_ERROR(EncodeGraph(*model.graph, body));
  WireWriter out;
  for (char c : kModelWireMagic) out.U8(static_cast<uint8_t>(c));
  out.U32(kModelWireVersion);
  out.I64(static_cast<int64_t>(body.bytes().size()));
  return out.Take() + body.Take();
}

absl::StatusOr<LoadedModel> DecodeLoadedModel(absl::string_view bytes) {
  if (bytes.substr(0, kModelWireMagic.size()) != kModelWireMagic) {
    return absl::InvalidArgumentError("loader answer does not start with GSLM");
  }
  WireReader in(bytes.substr(kModelWireMagic.size()));
  GS_ASSIGN_OR_RETURN(uint32_t version, in.U32("format version"));
  if (version != kModelWireVersion) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer has format version ", version,
                                                   "; this server reads ", kModelWireVersion));
  }
  GS_ASSIGN_OR_RETURN(int64_t length, in.I64("payload length"));
  if (length < 0 || static_cast<uint64_t>(length) != in.remaining()) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer claims ", length,
                                                   " payload bytes; ", in.remaining(), " follow"));
  }
  LoadedModel model;
  GS_ASSIGN_OR_RETURN(model.format, in.String("format"));
  GS_ASSIGN_OR_RETURN(model.saver_version, in.String("saver version"));
  GS_ASSIGN_OR_RETURN(model.model_name, in.String("model name"));
  GS_ASSIGN_OR_RETURN(model.sequential, in.Bool("sequential"));
  GS_ASSIGN_OR_RETURN(uint8_t layout, in.U8("output layout"));
  if (layout > static_cast<uint8_t>(SampleLayout::kChannelsFirst)) {
    return absl::InvalidArgumentError(absl::StrCat("loader answer: output layout ", layout));
  }
  model.output_layout = static_cast<SampleLayout>(layout);
  GS_ASSIGN_OR_RETURN(Graph graph, DecodeGraph(in));
  if (in.remaining() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("loader answer has ", in.remaining(), " bytes after the graph"));
  }
  model.graph = std::make_shared<const Graph>(std::move(graph));
  return model;
}

}  // namespace ganserve
