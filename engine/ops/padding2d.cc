#include "engine/ops/padding2d.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

Borders Padding2DOp::signed_borders() const {
  if (!crop_) return borders_;
  return {-borders_.top, -borders_.bottom, -borders_.left, -borders_.right};
}

absl::StatusOr<Dims> Padding2DOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1 || inputs[0].size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(Type(), " takes one (H, W, C) input"));
  }
  if (borders_.top < 0 || borders_.bottom < 0 || borders_.left < 0 || borders_.right < 0) {
    return absl::InvalidArgumentError("borders must not be negative");
  }
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
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], c = x.shape[3];
  const int64_t oh = output.shape[1], ow = output.shape[2];
  const Borders b = signed_borders();
  std::fill(output.data.begin(), output.data.end(), fill_);
  for (int64_t s = 0; s < n; ++s) {
    for (int64_t y = 0; y < oh; ++y) {
      const int64_t sy = y - b.top;
      if (sy < 0 || sy >= ih) continue;
      for (int64_t xx = 0; xx < ow; ++xx) {
        const int64_t sx = xx - b.left;
        if (sx < 0 || sx >= iw) continue;
        std::copy_n(&x.data[((s * ih + sy) * iw + sx) * c], c,
                    &output.data[((s * oh + y) * ow + xx) * c]);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
