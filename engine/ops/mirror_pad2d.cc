#include "engine/ops/mirror_pad2d.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> MirrorPad2DOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1 || inputs[0].size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(Type(), " takes one (H, W, C) input"));
  }
  const Borders& b = borders_;
  if (b.top < 0 || b.bottom < 0 || b.left < 0 || b.right < 0) {
    return absl::InvalidArgumentError(absl::StrCat(Type(), ": pads must not be negative"));
  }
  const int64_t h = inputs[0][0], w = inputs[0][1];
  // Reflection mirrors around the border pixel, so a pad needs that many others.
  const bool fits = mode_ == Mode::kReflect
                        ? std::max(b.top, b.bottom) < h && std::max(b.left, b.right) < w
                        : h > 0 && w > 0;
  if (!fits) {
    return absl::InvalidArgumentError(
        absl::StrCat(Type(), ": pads (", b.top, ", ", b.bottom, ", ", b.left, ", ", b.right,
                     ") on ", DimsToString(inputs[0]), " reach past the image's own pixels"));
  }
  return Dims{h + b.top + b.bottom, w + b.left + b.right, inputs[0][2]};
}

int64_t MirrorPad2DOp::Source(int64_t at, int64_t size) const {
  if (mode_ == Mode::kEdge) return std::clamp<int64_t>(at, 0, size - 1);
  if (at < 0) return -at;
  if (at >= size) return 2 * (size - 1) - at;
  return at;
}

absl::Status MirrorPad2DOp::RunReference(absl::Span<const Tensor* const> inputs,
                                         Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], c = x.shape[3];
  const int64_t oh = output.shape[1], ow = output.shape[2];
  for (int64_t s = 0; s < n; ++s) {
    for (int64_t y = 0; y < oh; ++y) {
      const int64_t sy = Source(y - borders_.top, ih);
      for (int64_t xx = 0; xx < ow; ++xx) {
        const int64_t sx = Source(xx - borders_.left, iw);
        std::copy_n(&x.data[((s * ih + sy) * iw + sx) * c], c,
                    &output.data[((s * oh + y) * ow + xx) * c]);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
