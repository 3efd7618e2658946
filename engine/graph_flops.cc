#include "engine/graph_flops.h"

#include <vector>

namespace ganserve {

double GraphFlopsPerSample(const Graph& graph) {
  double flops = 0;
  for (const Node& node : graph.nodes()) {
    std::vector<Dims> inputs;
    for (int input : node.inputs) inputs.push_back(graph.node(input).output_dims);
    flops += node.op->FlopsPerSample(inputs, node.output_dims);
  }
  return flops;
}

}  // namespace ganserve
