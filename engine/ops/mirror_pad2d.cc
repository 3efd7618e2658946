#include "engine/ops/mirror_pad2d.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace ganserve {

absl::StatusOr<Dims> MirrorPad2DOp::InferShape(absl::Span<const Dims> inputs) const {
  GS_RETURN_IF_ERROR(CheckBorderedInput(Type(), inputs, borders_));
  const Borders& b = borders_;
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
  GatherPixels(
      x, [&](int64_t y) { return Source(y - borders_.top, x.shape[1]); },
      [&](int64_t xx) { return Source(xx - borders_.left, x.shape[2]); }, output);
  return absl::OkStatus();
}

}  // namespace ganserve
