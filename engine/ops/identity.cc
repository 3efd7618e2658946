#include "engine/ops/identity.h"

#include <algorithm>

namespace ganserve {

absl::StatusOr<Dims> IdentityOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("an identity layer takes one input");
  return inputs[0];
}

absl::Status IdentityOp::RunReference(absl::Span<const Tensor* const> inputs,
                                      Tensor& output) const {
  std::copy(inputs[0]->data.begin(), inputs[0]->data.end(), output.data.begin());
  return absl::OkStatus();
}

}  // namespace ganserve
