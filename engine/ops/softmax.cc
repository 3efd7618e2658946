#include "engine/ops/softmax.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> SoftmaxOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("softmax takes one input");
  const int rank = static_cast<int>(inputs[0].size());
  if (axis_ >= rank || axis_ < -rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "softmax axis ", axis_, " is not a per-sample axis of ", DimsToString(inputs[0])));
  }
  return inputs[0];
}

absl::Status SoftmaxOp::RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const {
  const Tensor& x = *inputs[0];
  // x.shape includes the batch: per-sample axis a is tensor axis a + 1.
  const int rank = static_cast<int>(x.shape.size());
  const int axis = axis_ < 0 ? axis_ + rank : axis_ + 1;
  int64_t inner = 1;
  for (int i = axis + 1; i < rank; ++i) inner *= x.shape[i];
  const int64_t length = x.shape[axis];
  const int64_t outer = length == 0 || inner == 0 ? 0 : x.size() / (length * inner);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * length * inner + in;
      float max = -INFINITY;
      for (int64_t k = 0; k < length; ++k) max = std::max(max, x.data[base + k * inner]);
      double sum = 0.0;
      for (int64_t k = 0; k < length; ++k) sum += std::exp(x.data[base + k * inner] - max);
      const float log_sum = static_cast<float>(std::log(sum));
      for (int64_t k = 0; k < length; ++k) {
        const float shifted = x.data[base + k * inner] - max;
        output.data[base + k * inner] =
            log_ ? shifted - log_sum : static_cast<float>(std::exp(shifted) / sum);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
