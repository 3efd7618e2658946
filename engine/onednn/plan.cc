#include "engine/onednn/plan.h"

#include <algorithm>

#include "engine/onednn/plan_builder.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<std::unique_ptr<Plan>> Plan::Build(const Graph& graph,
                                                  const std::vector<LoweredNode>& lowered,
                                                  int64_t batch, const dnnl::engine& engine,
                                                  dnnl::stream& stream) {
  auto plan = std::unique_ptr<Plan>(new Plan());
  PlanBuilder builder(graph, lowered, batch, engine, stream, *plan);
  GS_RETURN_IF_ERROR(builder.BuildAll());
  return plan;
}

absl::Status Plan::Execute(dnnl::stream& stream, absl::Span<const Tensor> inputs,
                           Tensor& output) const {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    std::copy(inputs[i].data.begin(), inputs[i].data.end(), inputs_[i]->data.begin());
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
  // Resize takes its Dims by value: copying them would allocate on every call.
  if (output.shape != output_->shape) output.Resize(output_->shape);
  output.data.resize(output_->data.size());
  std::copy(output_->data.begin(), output_->data.end(), output.data.begin());
  return absl::OkStatus();
}

}  // namespace ganserve
