// A compiled plan: the graph lowered to oneDNN primitives for one batch size,
// with every buffer (activations, reordered weights, scratchpad) and every
// argument list made at build time, so Execute itself allocates nothing
// (oneDNN 2.6 still builds an argument map inside each primitive execution).
// Built and executed on the
// thread that owns the ExecutionContext (oneDNN here runs a primitive on the
// thread that created it).
#ifndef GANSERVE_ENGINE_ONEDNN_PLAN_H_
#define GANSERVE_ENGINE_ONEDNN_PLAN_H_

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "dnnl.hpp"
#include "engine/graph.h"
#include "engine/onednn/lowering.h"
#include "engine/tensor.h"

namespace ganserve {

class Plan {
 public:
  // Throws dnnl::error (translated by the caller) when oneDNN rejects a descriptor.
  static absl::StatusOr<std::unique_ptr<Plan>> Build(const Graph& graph,
                                                     const std::vector<LoweredNode>& lowered,
                                                     int64_t batch, const dnnl::engine& engine,
                                                     dnnl::stream& stream);

  // Throws dnnl::error (translated by the caller).
  absl::Status Execute(dnnl::stream& stream, absl::Span<const Tensor> inputs, Tensor& output) const;

  int64_t batch() const { return batch_; }

 private:
  friend class PlanBuilder;

  struct Step {
    dnnl::primitive primitive;                   // empty for host steps
    std::unordered_map<int, dnnl::memory> args;  // owns the memories c_args names
    std::vector<dnnl_exec_arg_t> c_args;
    std::function<absl::Status()> host;
  };

  int64_t batch_ = 0;
  std::vector<std::unique_ptr<Tensor>> tensors_;  // plain buffers
  std::vector<dnnl::memory> owned_;               // weights, blocked buffers, scratchpad
  std::vector<Step> steps_;
  std::vector<Tensor*> inputs_;  // one per graph input
  const Tensor* output_ = nullptr;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_PLAN_H_
