#include "engine/ops/weighted_conv.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

ParamCount WeightedConvOp::Params() const {
  return {kernel_.size() + (bias_ ? bias_->size() : 0), 0};
}

absl::Status CheckConvWeights(const Dims& input, const Tensor& kernel,
                              const std::optional<Tensor>& bias, const ConvAttributes& attrs,
                              int in_axis, int out_axis) {
  if (input.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expects (H, W, C) samples, got ", DimsToString(input)));
  }
  if (kernel.shape.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel must be 4-D, got ", DimsToString(kernel.shape)));
  }
  if (kernel.shape[in_axis] != input[2]) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel ", DimsToString(kernel.shape), " expects ", kernel.shape[in_axis],
                     " input channels, input has shape ", DimsToString(input)));
  }
  if (bias && bias->shape != Dims{kernel.shape[out_axis]}) {
    return absl::InvalidArgumentError(absl::StrCat("bias must have shape (", kernel.shape[out_axis],
                                                   ",), got ", DimsToString(bias->shape)));
  }
  if (attrs.stride_h < 1 || attrs.stride_w < 1 || attrs.dilation_h < 1 || attrs.dilation_w < 1) {
    return absl::InvalidArgumentError("strides and dilation must be positive");
  }
  return absl::OkStatus();
}

}  // namespace ganserve
