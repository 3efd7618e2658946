#include "engine/ops/reshape.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> ReshapeOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Reshape takes one input");
  const int64_t have = NumElements(inputs[0]);
  Dims out = target_;
  int64_t known = 1;
  int unknown = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1 && unknown < 0) {
      unknown = static_cast<int>(i);
    } else if (out[i] <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("target shape ", DimsToString(target_), " is not valid"));
    } else {
      known *= out[i];
    }
  }
  if (unknown >= 0 && known > 0 && have % known == 0) out[unknown] = have / known;
  if (NumElements(out) != have) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", DimsToString(inputs[0]),
                                                   " (", have, " values) to ",
                                                   DimsToString(target_)));
  }
  return out;
}

absl::Status ReshapeOp::RunReference(absl::Span<const Tensor* const> inputs,
                                     Tensor& output) const {
  std::copy(inputs[0]->data.begin(), inputs[0]->data.end(), output.data.begin());
  return absl::OkStatus();
}

absl::StatusOr<Dims> FlattenOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Flatten takes one input");
  return Dims{NumElements(inputs[0])};
}

absl::Status FlattenOp::RunReference(absl::Span<const Tensor* const> inputs,
                                     Tensor& output) const {
  std::copy(inputs[0]->data.begin(), inputs[0]->data.end(), output.data.begin());
  return absl::OkStatus();
}

}  // namespace ganserve
