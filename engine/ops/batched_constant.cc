#include "engine/ops/batched_constant.h"

#include <algorithm>

namespace ganserve {

absl::StatusOr<Dims> BatchedConstantOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) {
    return absl::InvalidArgumentError("a batched constant takes one input (for the batch size)");
  }
  return sample_.shape;
}

absl::Status BatchedConstantOp::RunReference(absl::Span<const Tensor* const> inputs,
                                             Tensor& output) const {
  const int64_t batch = inputs[0]->shape[0];
  for (int64_t s = 0; s < batch; ++s) {
    std::copy(sample_.data.begin(), sample_.data.end(), output.data.begin() + s * sample_.size());
  }
  return absl::OkStatus();
}

}  // namespace ganserve
