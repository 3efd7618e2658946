#include "engine/ops/scale_shift.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> ScaleShiftOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("ScaleShift takes one input");
  if (scale_.shape != inputs[0] || shift_.shape != inputs[0]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scale ", DimsToString(scale_.shape), " and shift ", DimsToString(shift_.shape),
        " must both have the input's shape ", DimsToString(inputs[0])));
  }
  return inputs[0];
}

absl::Status ScaleShiftOp::RunReference(absl::Span<const Tensor* const> inputs,
                                        Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t n = scale_.size();
  for (int64_t i = 0; i < x.size(); ++i) {
    output.data[i] = x.data[i] * scale_.data[i % n] + shift_.data[i % n];
  }
  return absl::OkStatus();
}

}  // namespace ganserve
