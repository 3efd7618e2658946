#include "engine/reference/reference_executor.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/ops/input.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

struct ReferenceContext : ExecutionContext {
  std::vector<Tensor> values;  // one per node
};

}  // namespace

std::unique_ptr<ExecutionContext> ReferenceExecutor::NewContext() const {
  return std::make_unique<ReferenceContext>();
}

absl::Status ReferenceExecutor::Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                                    Tensor& output) const {
  GS_ASSIGN_OR_RETURN(const int64_t batch, CheckGraphInputs(*graph_, inputs));
  auto& values = static_cast<ReferenceContext&>(context).values;
  const auto& nodes = graph_->nodes();
  values.resize(nodes.size());
  for (size_t i = 0; i < graph_->inputs().size(); ++i) values[graph_->inputs()[i]] = inputs[i];
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    if (node.op->Type() == InputOp::kType) continue;
    std::vector<const Tensor*> args;
    for (int j : node.inputs) args.push_back(&values[j]);
    values[i].Resize(WithBatch(batch, node.output_dims));
    absl::Status s = node.op->RunReference(args, values[i]);
    if (!s.ok()) {
      return WithPrefix(absl::StrCat("layer '", node.name, "'"), s);
    }
  }
  output = values[graph_->output()];
  return absl::OkStatus();
}

}  // namespace ganserve
