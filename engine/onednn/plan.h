// A compiled plan: the graph lowered to oneDNN primitives for one batch size,
// with every argument list made at build time, so Execute itself allocates
// nothing (oneDNN 2.6 still builds an argument map inside each primitive
// execution). Its buffers are places in the context's SharedBuffers, which
// the plans of every batch size share; Activate points them there before the
// plan runs after another one. Built and executed on the thread that owns the
// ExecutionContext (oneDNN here runs a primitive on the thread that created
// it).
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
#include "engine/onednn/shared_buffers.h"
#include "engine/tensor.h"

namespace ganserve {

class Plan {
 public:
  // `bf16`: OneDnnOptions::bf16. Reorders weights not yet in `shared` into it, and reserves the
  // arena and host tensors this plan needs. Throws dnnl::error (translated by the caller) when
  // oneDNN rejects a descriptor.
  static absl::StatusOr<std::unique_ptr<Plan>> Build(const Graph& graph,
                                                     const std::vector<LoweredNode>& lowered,
                                                     int64_t batch, bool bf16,
                                                     const dnnl::engine& engine,
                                                     dnnl::stream& stream, SharedBuffers& shared);

  // Points every buffer at its place in `shared` (oneDNN writes the zero
  // padding of blocked layouts then, which another plan may have overwritten)
  // and sizes the host tensors for this batch. Run it before Execute whenever
  // another plan ran since, or `shared` moved.
  void Activate(SharedBuffers& shared, const dnnl::stream& stream) const;

  // Runs samples [first, first + count) of `inputs` (count <= batch) and
  // writes them to the same rows of `output`, already sized for all of
  // `inputs`. Throws dnnl::error (translated by the caller).
  absl::Status Execute(dnnl::stream& stream, absl::Span<const Tensor> inputs, int64_t first,
                       int64_t count, Tensor& output) const;

  int64_t batch() const { return batch_; }
  // The plan's own bookkeeping (steps, argument lists, bindings), without
  // the shared buffers and oneDNN's primitives.
  size_t OwnBytes() const;

 private:
  friend class PlanBuilder;

  struct Step {
    dnnl::primitive primitive;                   // empty for host steps
    std::unordered_map<int, dnnl::memory> args;  // owns the memories c_args names
    std::vector<dnnl_exec_arg_t> c_args;
    std::function<absl::Status()> host;
  };
  // A memory and where its buffer lives: `offset` bytes into the arena, or
  // the host tensor of node `host_node`.
  struct Binding {
    dnnl::memory memory;
    int host_node = -1;
    size_t offset = 0;
  };
  struct HostUse {
    int node;
    Dims shape;  // with this plan's batch
  };

  int64_t batch_ = 0;
  size_t arena_bytes_ = 0;
  std::vector<Binding> bindings_;
  std::vector<HostUse> host_uses_;
  std::vector<Step> steps_;
  std::vector<dnnl::memory> inputs_;  // plain, one per graph input
  dnnl::memory output_;               // plain
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONEDNN_PLAN_H_
