#include "engine/graph_builder.h"

#include <utility>

#include "engine/ops/input.h"

namespace ganserve {

int GraphBuilder::Input(std::string name, Dims dims) {
  const int id = AddShared(std::move(name), std::make_shared<const InputOp>(std::move(dims)), {},
                           "InputLayer");
  inputs_.push_back(id);
  return id;
}

int GraphBuilder::AddShared(std::string name, std::shared_ptr<const Op> op,
                            std::vector<int> inputs, std::string class_name) {
  Node node;
  node.name = std::move(name);
  node.class_name = class_name.empty() ? std::string(op->Type()) : std::move(class_name);
  node.op = std::move(op);
  node.inputs = std::move(inputs);
  nodes_.push_back(std::move(node));
  return last();
}

absl::StatusOr<Graph> GraphBuilder::Build(int output) {
  return Graph::Create(std::move(nodes_), std::move(inputs_), output < 0 ? last() : output);
}

}  // namespace ganserve
