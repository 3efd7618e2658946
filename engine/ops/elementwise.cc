#include "engine/ops/elementwise.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> ElementwiseOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(Type(), " takes two or more inputs"));
  }
  for (const Dims& in : inputs) {
    if (in != inputs[0]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "inputs must have the same shape, got ", DimsToString(inputs[0]), " and ",
          DimsToString(in)));
    }
  }
  return inputs[0];
}

absl::Status ElementwiseOp::RunReference(absl::Span<const Tensor* const> inputs,
                                         Tensor& output) const {
  std::copy(inputs[0]->data.begin(), inputs[0]->data.end(), output.data.begin());
  for (size_t k = 1; k < inputs.size(); ++k) {
    const Tensor& x = *inputs[k];
    for (int64_t i = 0; i < x.size(); ++i) {
      if (kind_ == Kind::kAdd) {
        output.data[i] += x.data[i];
      } else {
        output.data[i] *= x.data[i];
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
