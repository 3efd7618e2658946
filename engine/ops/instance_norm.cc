#include "engine/ops/instance_norm.h"

#include "engine/ops/group_norm.h"

namespace ganserve {

absl::StatusOr<Dims> InstanceNormOp::InferShape(absl::Span<const Dims> inputs) const {
  if (auto s = CheckGroupNorm(kType, inputs, 2, channels_last_, scale_.size(), epsilon_, &scale_,
                              &bias_);
      !s.ok()) {
    return s;
  }
  return inputs[0];
}

absl::Status InstanceNormOp::RunReference(absl::Span<const Tensor* const> inputs,
                                          Tensor& output) const {
  NormalizeGroups(*inputs[0], channels_last_, scale_.size(), epsilon_, &scale_, &bias_, output);
  return absl::OkStatus();
}

}  // namespace ganserve
