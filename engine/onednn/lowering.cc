#include "engine/onednn/lowering.h"

#include <utility>

#include "engine/onednn/lowering_rules.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/identity.h"
#include "engine/ops/input.h"
#include "engine/ops/transpose.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {
namespace {

void LowerInput(const LoweringStep& step) { step.target().kind = LoweredKind::kInput; }

void LowerIdentity(const LoweringStep& step) {
  step.target() = AliasOf(step.graph_node().inputs[0]);
}

// One row per op type that has a oneDNN form; every other type runs its reference kernel.
const std::pair<absl::string_view, LoweringRule> kLoweringRules[] = {
    {InputOp::kType, LowerInput},           {IdentityOp::kType, LowerIdentity},
    {Conv2DOp::kType, LowerConv2D},         {Conv2DTransposeOp::kType, LowerConv2DTranspose},
    {DenseOp::kType, LowerDense},           {BatchNormOp::kType, LowerBatchNorm},
    {ActivationOp::kType, LowerActivation}, {UpSampling2DOp::kType, LowerUpSampling2D},
    {TransposeOp::kType, LowerTranspose},
};

LoweringRule RuleFor(absl::string_view type) {
  for (const auto& [rule_type, rule] : kLoweringRules) {
    if (rule_type == type) return rule;
  }
  return nullptr;
}

std::vector<std::vector<int>> Consumers(const Graph& graph) {
  std::vector<std::vector<int>> consumers(graph.nodes().size());
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    for (int j : graph.node(i).inputs) consumers[j].push_back(static_cast<int>(i));
  }
  consumers[graph.output()].push_back(-1);
  return consumers;
}

}  // namespace

LoweredNode AliasOf(int source) {
  LoweredNode ln;
  ln.kind = LoweredKind::kAlias;
  ln.source = source;
  return ln;
}

std::vector<LoweredNode> LowerGraph(const Graph& graph) {
  const auto consumers = Consumers(graph);
  std::vector<LoweredNode> lowered(graph.nodes().size());
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Node& node = graph.node(i);
    if (lowered[i].kind == LoweredKind::kAlias) continue;  // absorbed by an earlier node
    const LoweringRule rule = RuleFor(node.op->Type());
    if (rule == nullptr) continue;
    const Dims in = node.inputs.empty() ? Dims{} : graph.node(node.inputs[0]).output_dims;
    rule(LoweringStep{graph, consumers, static_cast<int>(i), in, lowered});
  }
  return lowered;
}

}  // namespace ganserve
