#include "engine/graph.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/ops/input.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

// 1234567 -> "1,234,567", as Keras prints totals.
std::string WithThousandsSeparators(int64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  const int len = static_cast<int>(digits.size());
  for (int i = 0; i < len; ++i) {
    if (i > 0 && (len - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string BatchedShape(const Dims& dims) {
  std::string s = "(None";
  for (int64_t d : dims) absl::StrAppend(&s, ", ", d);
  return s + ")";
}

}  // namespace

absl::StatusOr<Graph> Graph::Create(std::vector<Node> nodes, std::vector<int> inputs, int output) {
  const int n = static_cast<int>(nodes.size());
  if (n == 0) return absl::InvalidArgumentError("graph has no nodes");
  if (inputs.empty()) return absl::InvalidArgumentError("graph has no inputs");
  if (output < 0 || output >= n) {
    return absl::InvalidArgumentError(absl::StrCat("graph output ", output, " is not a node"));
  }
  for (int id : inputs) {
    if (id < 0 || id >= n || nodes[id].op == nullptr || nodes[id].op->Type() != InputOp::kType) {
      return absl::InvalidArgumentError(absl::StrCat("graph input ", id, " is not an Input node"));
    }
  }
  for (int i = 0; i < n; ++i) {
    Node& node = nodes[i];
    if (node.op == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("node '", node.name, "' has no op"));
    }
    std::vector<Dims> in_dims;
    for (int j : node.inputs) {
      if (j < 0 || j >= i) {
        return absl::InvalidArgumentError(absl::StrCat("node '", node.name, "' reads node ", j,
                                                       ", which does not come before it"));
      }
      in_dims.push_back(nodes[j].output_dims);
    }
    auto dims = node.op->InferShape(in_dims);
    if (!dims.ok()) {
      return WithPrefix(absl::StrCat("layer '", node.name, "' (", node.class_name, ")"),
                        dims.status());
    }
    for (int64_t d : *dims) {
      if (d <= 0) {
        return absl::InvalidArgumentError(absl::StrCat("layer '", node.name, "' (", node.class_name,
                                                       ") would output shape ", DimsToString(*dims),
                                                       ", which has an empty axis"));
      }
    }
    node.output_dims = *std::move(dims);
  }
  Graph g;
  g.nodes_ = std::move(nodes);
  g.inputs_ = std::move(inputs);
  g.output_ = output;
  return g;
}

ParamCount Graph::Params() const {
  ParamCount total;
  for (const Node& node : nodes_) {
    ParamCount p = node.op->Params();
    total.trainable += p.trainable;
    total.non_trainable += p.non_trainable;
  }
  return total;
}

std::string Graph::Summary(const std::string& model_name, bool show_inputs) const {
  constexpr int kNameWidth = 29, kShapeWidth = 26;
  const std::string rule(65, '_'), double_rule(65, '=');
  std::string out = absl::StrCat("Model: \"", model_name, "\"\n", rule, "\n");
  absl::StrAppendFormat(&out, " %-*s%-*s%s\n", kNameWidth - 1, "Layer (type)", kShapeWidth,
                        "Output Shape", "Param #");
  absl::StrAppend(&out, double_rule, "\n");
  bool first = true;
  for (const Node& node : nodes_) {
    if (!show_inputs && node.op->Type() == InputOp::kType) continue;
    if (!first) absl::StrAppend(&out, "\n");
    first = false;
    std::string label = absl::StrCat(node.name, " (", node.class_name, ")");
    absl::StrAppendFormat(&out, " %-*s%-*s%d\n", kNameWidth - 1, label, kShapeWidth,
                          BatchedShape(node.output_dims), node.op->Params().total());
  }
  const ParamCount p = Params();
  absl::StrAppend(&out, double_rule, "\n");
  absl::StrAppend(&out, "Total params: ", WithThousandsSeparators(p.total()), "\n");
  absl::StrAppend(&out, "Trainable params: ", WithThousandsSeparators(p.trainable), "\n");
  absl::StrAppend(&out, "Non-trainable params: ", WithThousandsSeparators(p.non_trainable), "\n");
  absl::StrAppend(&out, rule, "\n");
  return out;
}

absl::StatusOr<int64_t> CheckGraphInputs(const Graph& graph, absl::Span<const Tensor> inputs) {
  if (inputs.size() != graph.inputs().size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model takes ", graph.inputs().size(), " inputs, got ", inputs.size()));
  }
  int64_t batch = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    const Dims& want = graph.input_dims(static_cast<int>(i));
    const bool shape_ok = t.shape.size() == want.size() + 1 &&
                          std::equal(want.begin(), want.end(), t.shape.begin() + 1) &&
                          t.shape[0] > 0 && t.size() == NumElements(t.shape);
    if (!shape_ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("input ", i, " ('", graph.node(graph.inputs()[i]).name,
                       "') must have shape ", DimsToString(WithBatch(-1, want)),
                       " with a positive batch, got ", DimsToString(t.shape)));
    }
    if (batch >= 0 && t.shape[0] != batch) {
      return absl::InvalidArgumentError(
          absl::StrCat("inputs disagree on the batch size: ", batch, " and ", t.shape[0]));
    }
    batch = t.shape[0];
  }
  return batch;
}

}  // namespace ganserve
