// Builds a Graph node by node; used by the loaders, the tests and the
// benchmarks to describe a model in code.
#ifndef GANSERVE_ENGINE_GRAPH_BUILDER_H_
#define GANSERVE_ENGINE_GRAPH_BUILDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph.h"

namespace ganserve {

class GraphBuilder {
 public:
  // Adds a model input; inputs are ordered by the calls to Input.
  int Input(std::string name, Dims dims);

  // Adds a node; class_name defaults to the op's Type(). Returns its index.
  template <typename OpT>
  int Add(std::string name, OpT op, std::vector<int> inputs, std::string class_name = "") {
    auto shared = std::make_shared<const OpT>(std::move(op));
    return AddShared(std::move(name), std::move(shared), std::move(inputs),
                     std::move(class_name));
  }
  int AddShared(std::string name, std::shared_ptr<const Op> op, std::vector<int> inputs,
                std::string class_name = "");

  int last() const { return static_cast<int>(nodes_.size()) - 1; }

  // Infers shapes; the output defaults to the last node added.
  absl::StatusOr<Graph> Build(int output = -1);

 private:
  std::vector<Node> nodes_;
  std::vector<int> inputs_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_GRAPH_BUILDER_H_
