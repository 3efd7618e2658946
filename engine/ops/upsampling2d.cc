#include "engine/ops/upsampling2d.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

// Source position of output index `dst` along one axis, and the two input
// indices and weight it interpolates between, as TensorFlow's
// compute_interpolation_weights does (float arithmetic, clamped to the edge).
struct Taps {
  int64_t lower, upper;
  float lerp;
};

Taps BilinearTaps(int64_t dst, int64_t in, int64_t out, CoordinateMode mode) {
  float src;
  switch (mode) {
    case CoordinateMode::kHalfPixel:
      src = (static_cast<float>(dst) + 0.5f) * (static_cast<float>(in) / out) - 0.5f;
      break;
    case CoordinateMode::kAsymmetric:
      src = static_cast<float>(dst) * (static_cast<float>(in) / out);
      break;
    case CoordinateMode::kAlignCorners:
      src = out > 1 ? static_cast<float>(dst) * (static_cast<float>(in - 1) / (out - 1)) : 0.0f;
      break;
  }
  const float floor_src = std::floor(src);
  Taps t;
  t.lower = std::clamp<int64_t>(static_cast<int64_t>(floor_src), 0, in - 1);
  t.upper = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(src)), 0, in - 1);
  t.lerp = src - floor_src;
  return t;
}

}  // namespace

absl::StatusOr<Dims> UpSampling2DOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("UpSampling2D takes one input");
  if (inputs[0].size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expects (H, W, C) samples, got ", DimsToString(inputs[0])));
  }
  if (size_h_ < 1 || size_w_ < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("size (", size_h_, ", ", size_w_, ") must be positive integers"));
  }
  return Dims{inputs[0][0] * size_h_, inputs[0][1] * size_w_, inputs[0][2]};
}

absl::Status UpSampling2DOp::RunReference(absl::Span<const Tensor* const> inputs,
                                          Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], c = x.shape[3];
  const int64_t oh = ih * size_h_, ow = iw * size_w_;
  auto at = [&](int64_t b, int64_t y, int64_t xx, int64_t ch) {
    return x.data[((b * ih + y) * iw + xx) * c + ch];
  };
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t y = 0; y < oh; ++y) {
      for (int64_t xx = 0; xx < ow; ++xx) {
        float* dst = &output.data[((b * oh + y) * ow + xx) * c];
        if (interpolation_ == Interpolation::kNearest) {
          for (int64_t ch = 0; ch < c; ++ch) dst[ch] = at(b, y / size_h_, xx / size_w_, ch);
          continue;
        }
        const Taps ty = BilinearTaps(y, ih, oh, mode_);
        const Taps tx = BilinearTaps(xx, iw, ow, mode_);
        for (int64_t ch = 0; ch < c; ++ch) {
          const float top_left = at(b, ty.lower, tx.lower, ch);
          const float top_right = at(b, ty.lower, tx.upper, ch);
          const float bottom_left = at(b, ty.upper, tx.lower, ch);
          const float bottom_right = at(b, ty.upper, tx.upper, ch);
          const float top = top_left + (top_right - top_left) * tx.lerp;
          const float bottom = bottom_left + (bottom_right - bottom_left) * tx.lerp;
          dst[ch] = top + (bottom - top) * ty.lerp;
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
