// The reference executor: runs each op's plain-loop kernel in graph order.
// Slow and obviously right; the oracle the oneDNN executor is tested against.
#ifndef GANSERVE_ENGINE_REFERENCE_REFERENCE_EXECUTOR_H_
#define GANSERVE_ENGINE_REFERENCE_REFERENCE_EXECUTOR_H_

#include <memory>

#include "engine/executor.h"

namespace ganserve {

class ReferenceExecutor : public Executor {
 public:
  explicit ReferenceExecutor(std::shared_ptr<const Graph> graph) : graph_(std::move(graph)) {}

  std::unique_ptr<ExecutionContext> NewContext() const override;
  absl::Status Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                   Tensor& output) const override;
  const Graph& graph() const override { return *graph_; }

 private:
  std::shared_ptr<const Graph> graph_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_REFERENCE_REFERENCE_EXECUTOR_H_
