// The graph IR: a DAG of ops in topological order, with per-sample shapes
// inferred at construction and a Keras-style Summary().
#ifndef GANSERVE_ENGINE_GRAPH_H_
#define GANSERVE_ENGINE_GRAPH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/op.h"
#include "engine/tensor.h"

namespace ganserve {

struct Node {
  std::string name;        // the layer's name in the source file
  std::string class_name;  // what Summary() shows: Keras class or ONNX op type
  std::shared_ptr<const Op> op;
  std::vector<int> inputs;  // indices of earlier nodes
  Dims output_dims;         // per sample; filled in by Graph::Create
};

class Graph {
 public:
  // `inputs` are the indices of the Input nodes in model input order (Keras
  // `input_layers`, ONNX graph inputs); `output` is the node whose value the
  // model returns. Every node's inputs must come before it.
  static absl::StatusOr<Graph> Create(std::vector<Node> nodes, std::vector<int> inputs,
                                      int output);

  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(int i) const { return nodes_[i]; }
  const std::vector<int>& inputs() const { return inputs_; }
  int output() const { return output_; }
  const Dims& input_dims(int i) const { return nodes_[inputs_[i]].output_dims; }
  const Dims& output_dims() const { return nodes_[output_].output_dims; }

  ParamCount Params() const;

  // The table Keras prints for model.summary(): layer name and class, output
  // shape with None for the batch, parameter count, then the totals.
  // Input nodes get a row only when `show_inputs` (Keras shows them for
  // Functional models, not for Sequential ones).
  std::string Summary(const std::string& model_name = "model", bool show_inputs = true) const;

 private:
  Graph() = default;

  std::vector<Node> nodes_;
  std::vector<int> inputs_;
  int output_ = -1;
};

// Checks a batch of graph inputs: one tensor per graph input, shaped
// [N, input_dims...] with the same N. Returns N.
absl::StatusOr<int64_t> CheckGraphInputs(const Graph& graph, absl::Span<const Tensor> inputs);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_GRAPH_H_
