#include "engine/ops/padding2d.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve {

Borders Padding2DOp::signed_borders() const {
  if (!crop_) return borders_;
  return {-borders_.top, -borders_.bottom, -borders_.left, -borders_.right};
}

absl::StatusOr<Dims> Padding2DOp::InferShape(absl::Span<const Dims> inputs) const {
  GS_RETURN_IF_ERROR(CheckBorderedInput(Type(), inputs, borders_));
  const Borders b = signed_borders();
  const Dims out{inputs[0][0] + b.top + b.bottom, inputs[0][1] + b.left + b.right, inputs[0][2]};
  if (out[0] <= 0 || out[1] <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cropping ", DimsToString(inputs[0]), " leaves nothing"));
  }
  return out;
}

absl::Status Padding2DOp::RunReference(absl::Span<const Tensor* const> inputs,
                                       Tensor& output) const {
  const Tensor& x = *inputs[0];
  const Borders b = signed_borders();
  // The input pixel at `at` on an axis of `size`, or -1 in the border.
  const auto inside = [](int64_t at, int64_t size) { return at >= 0 && at < size ? at : -1; };
  std::fill(output.data.begin(), output.data.end(), fill_);
  GatherPixels(
      x, [&](int64_t y) { return inside(y - b.top, x.shape[1]); },
      [&](int64_t xx) { return inside(xx - b.left, x.shape[2]); }, output);
  return absl::OkStatus();
}

}  // namespace ganserve
