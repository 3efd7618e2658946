// The lowering of each op type, one function per type, grouped in one file
// per family; LowerGraph (lowering.cc) picks them from its table by Type().
// A type with no rule runs its reference kernel, so adding a layer needs a
// rule only to make it fast.
#ifndef GANSERVE_ENGINE_ONEDNN_LOWERING_RULES_H_
#define GANSERVE_ENGINE_ONEDNN_LOWERING_RULES_H_

#include <vector>

#include "engine/graph.h"
#include "engine/onednn/lowering.h"

namespace ganserve {

// What a rule sees. A rule fills lowered[node]; it may also absorb the nodes
// after it (BatchNorm, activations) by making them aliases of `node`. A rule
// that leaves lowered[node] alone keeps the reference kernel.
struct LoweringStep {
  const Graph& graph;
  // Per node, its consumers; the graph output has an extra consumer, -1.
  const std::vector<std::vector<int>>& consumers;
  int node;
  const Dims& in;  // the first input's per-sample shape, or empty
  std::vector<LoweredNode>& lowered;

  const Node& graph_node() const { return graph.node(node); }
  LoweredNode& target() const { return lowered[node]; }
  // The node's op as its class; the table keys rules by OpT::kType.
  template <typename OpT>
  const OpT& op() const {
    return static_cast<const OpT&>(*graph_node().op);
  }
};

using LoweringRule = void (*)(const LoweringStep& step);

LoweredNode AliasOf(int source);

// Weighted layers, with BatchNorm and activations folded in (lower_weighted.cc).
void LowerConv2D(const LoweringStep& step);
void LowerConv2DTranspose(const LoweringStep& step);
void LowerDense(const LoweringStep& step);

// Layers that become one primitive of their own (lower_standalone.cc).
void LowerBatchNorm(const LoweringStep& step);
void LowerActivation(const LoweringStep& step);
void LowerUpSampling2D(const LoweringStep& step);
void LowerTranspose(const LoweringStep& step);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_LOWERING_RULES_H_
