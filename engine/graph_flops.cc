#include "engine/graph_flops.h"

#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"

namespace ganserve {

double GraphFlopsPerSample(const Graph& graph) {
  double flops = 0;
  for (const Node& node : graph.nodes()) {
    if (const auto* d = dynamic_cast<const DenseOp*>(node.op.get())) {
      flops += 2.0 * d->kernel().size() * NumElements(node.output_dims) / d->units();
    } else if (const auto* c = dynamic_cast<const Conv2DOp*>(node.op.get())) {
      flops += 2.0 * c->kernel().size() * node.output_dims[0] * node.output_dims[1];
    } else if (const auto* t = dynamic_cast<const Conv2DTransposeOp*>(node.op.get())) {
      const Dims& in = graph.node(node.inputs[0]).output_dims;
      flops += 2.0 * t->kernel().size() * in[0] * in[1];
    }
  }
  return flops;
}

}  // namespace ganserve
