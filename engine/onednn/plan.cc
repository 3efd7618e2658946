#include "engine/onednn/plan.h"

#include <algorithm>
#include <cstring>

#include "engine/onednn/plan_builder.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<std::unique_ptr<Plan>> Plan::Build(const Graph& graph,
                                                  const std::vector<LoweredNode>& lowered,
                                                  int64_t batch, bool bf16,
                                                  const dnnl::engine& engine, dnnl::stream& stream,
                                                  SharedBuffers& shared) {
  auto plan = std::unique_ptr<Plan>(new Plan());
  PlanBuilder builder(graph, lowered, batch, bf16, engine, stream, shared, *plan);
  GS_RETURN_IF_ERROR(builder.BuildAll());
  shared.ReserveArena(engine, plan->arena_bytes_);
  for (const HostUse& use : plan->host_uses_) shared.ReserveHost(use.node, NumElements(use.shape));
  return plan;
}

void Plan::Activate(SharedBuffers& shared, const dnnl::stream& stream) const {
  for (const HostUse& use : host_uses_) {
    Tensor& t = shared.host(use.node);
    t.shape = use.shape;                    // the same rank each time: no allocation
    t.data.resize(NumElements(use.shape));  // within the reserved capacity
  }
  for (const Binding& b : bindings_) {
    void* base = b.host_node >= 0 ? static_cast<void*>(shared.host(b.host_node).data.data())
                                  : static_cast<void*>(shared.arena() + b.offset);
    b.memory.set_data_handle(base, stream);
  }
}

absl::Status Plan::Execute(dnnl::stream& stream, absl::Span<const Tensor> inputs, int64_t first,
                           int64_t count, Tensor& output) const {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const int64_t per_sample = inputs[i].size() / inputs[i].shape[0];
    float* dst = static_cast<float*>(inputs_[i].get_data_handle());
    std::copy_n(inputs[i].data.data() + first * per_sample, count * per_sample, dst);
    // Padding rows: results discarded, but kept finite and the same every run.
    std::fill(dst + count * per_sample, dst + batch_ * per_sample, 0.0f);
  }
  for (const Step& step : steps_) {
    if (step.host) {
      stream.wait();  // host code reads what earlier primitives wrote
      GS_RETURN_IF_ERROR(step.host());
    } else {
      dnnl::error::wrap_c_api(
          dnnl_primitive_execute(step.primitive.get(), stream.get(),
                                 static_cast<int>(step.c_args.size()), step.c_args.data()),
          "could not execute a primitive");
    }
  }
  stream.wait();
  const int64_t per_sample = output.size() / output.shape[0];
  std::copy_n(static_cast<const float*>(output_.get_data_handle()), count * per_sample,
              output.data.data() + first * per_sample);
  return absl::OkStatus();
}

size_t Plan::OwnBytes() const {
  size_t bytes = sizeof(Plan) + bindings_.capacity() * sizeof(Binding) +
                 host_uses_.capacity() * sizeof(HostUse) + steps_.capacity() * sizeof(Step);
  for (const Step& step : steps_) {
    bytes += step.c_args.capacity() * sizeof(dnnl_exec_arg_t) +
             step.args.size() * (sizeof(int) + sizeof(dnnl::memory) + 2 * sizeof(void*));
  }
  return bytes;
}

}  // namespace ganserve
