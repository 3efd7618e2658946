// The oneDNN executor: runs a Graph through oneDNN primitives (blocked
// layouts, BatchNorm folded into conv weights, activations as post-ops),
// compiled lazily once per batch size in each ExecutionContext.
#ifndef GANSERVE_ENGINE_ONEDNN_ONEDNN_EXECUTOR_H_
#define GANSERVE_ENGINE_ONEDNN_ONEDNN_EXECUTOR_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/executor.h"
#include "engine/onednn/lowering.h"

namespace ganserve {

struct OneDnnOptions {
  // OpenMP threads used by each Run; 0 keeps the runtime's default.
  int num_threads = 0;
};

class OneDnnExecutor : public Executor {
 public:
  static absl::StatusOr<std::unique_ptr<Executor>> Create(std::shared_ptr<const Graph> graph,
                                                          const OneDnnOptions& options = {});

  // A context holds its own engine, stream and plans; use it on one thread
  // at a time (oneDNN primitives run on the thread that created them, so
  // plans are built inside Run).
  std::unique_ptr<ExecutionContext> NewContext() const override;
  absl::Status Run(ExecutionContext& context, absl::Span<const Tensor> inputs,
                   Tensor& output) const override;
  const Graph& graph() const override { return *graph_; }

 private:
  OneDnnExecutor(std::shared_ptr<const Graph> graph, const OneDnnOptions& options)
      : graph_(std::move(graph)), options_(options), lowered_(LowerGraph(*graph_)) {}

  std::shared_ptr<const Graph> graph_;
  OneDnnOptions options_;
  std::vector<LoweredNode> lowered_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_ONEDNN_EXECUTOR_H_
