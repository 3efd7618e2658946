#include "engine/ops/activation_op.h"

namespace ganserve {

absl::StatusOr<Dims> ActivationOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("an activation takes one input");
  return inputs[0];
}

absl::Status ActivationOp::RunReference(absl::Span<const Tensor* const> inputs,
                                        Tensor& output) const {
  const Tensor& x = *inputs[0];
  for (int64_t i = 0; i < x.size(); ++i) output.data[i] = activation_.Apply(x.data[i]);
  return absl::OkStatus();
}

}  // namespace ganserve
