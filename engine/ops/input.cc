#include "engine/ops/input.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> InputOp::InferShape(absl::Span<const Dims> inputs) const {
  if (!inputs.empty()) return absl::InvalidArgumentError("an Input takes no inputs");
  if (dims_.empty()) return absl::InvalidArgumentError("input shape is empty");
  for (int64_t d : dims_) {
    if (d <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("input shape ", DimsToString(dims_), " must be fully known"));
    }
  }
  return dims_;
}

absl::Status InputOp::RunReference(absl::Span<const Tensor* const>, Tensor&) const {
  return absl::InternalError("Input nodes are fed by the executor, not run");
}

}  // namespace ganserve
