#include "engine/ops/concatenate.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> ConcatenateOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() < 2) return absl::InvalidArgumentError("Concatenate takes two or more inputs");
  const int rank = static_cast<int>(inputs[0].size());
  const int axis = axis_ < 0 ? rank + axis_ : axis_;
  if (axis < 0 || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis_, " is out of range for ", DimsToString(inputs[0])));
  }
  Dims out = inputs[0];
  out[axis] = 0;
  for (const Dims& in : inputs) {
    bool compatible = static_cast<int>(in.size()) == rank;
    for (int a = 0; compatible && a < rank; ++a) compatible = a == axis || in[a] == inputs[0][a];
    if (!compatible) {
      return absl::InvalidArgumentError(absl::StrCat("inputs ", DimsToString(inputs[0]), " and ",
                                                     DimsToString(in), " differ off axis ",
                                                     axis_));
    }
    out[axis] += in[axis];
  }
  return out;
}

absl::Status ConcatenateOp::RunReference(absl::Span<const Tensor* const> inputs,
                                         Tensor& output) const {
  const int rank = static_cast<int>(output.shape.size());
  const int axis = (axis_ < 0 ? rank - 1 + axis_ : axis_) + 1;
  int64_t outer = 1;
  for (int a = 0; a < axis; ++a) outer *= output.shape[a];
  float* dst = output.data.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* in : inputs) {
      const int64_t chunk = in->size() / outer;
      dst = std::copy_n(&in->data[o * chunk], chunk, dst);
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
