#include "engine/output_inference.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {

std::optional<Dims> SquareImage(int64_t values, bool channels_first) {
  for (int64_t channels : {3, 1}) {
    if (values <= 0 || values % channels != 0) continue;
    const int64_t side = std::llround(std::sqrt(static_cast<double>(values / channels)));
    if (side * side * channels != values) continue;
    return channels_first ? Dims{channels, side, side} : Dims{side, side, channels};
  }
  return std::nullopt;
}

absl::StatusOr<ValueRange> ConventionalRangeOf(absl::Span<const float> outputs) {
  if (outputs.empty()) return absl::InvalidArgumentError("the warm-up batch produced no values");
  float lo = outputs[0], hi = outputs[0];
  for (float v : outputs) {
    if (!std::isfinite(v)) {
      return absl::InvalidArgumentError(
          absl::StrCat("a warm-up batch of ", kCalibrationBatch,
                       " random latents produced a non-finite value (", v, ")"));
    }
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  constexpr ValueRange kConventions[] = {{0.0f, 1.0f}, {-1.0f, 1.0f}, {0.0f, 255.0f}};
  for (const ValueRange& r : kConventions) {
    const float width = r.max - r.min;
    const float margin = 0.05f * width;
    if (lo < r.min - margin || hi > r.max + margin) continue;
    // A wider range must be used, not merely hold the values: [-1.5, 1.5]
    // is a [-1, 1] model overshooting, not a dark [0, 255] image.
    if (r.min != kConventions[0].min || r.max != kConventions[0].max) {
      if (hi - lo < 0.2f * width) continue;
    }
    return r;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "a warm-up batch of ", kCalibrationBatch, " random latents gives outputs in [", lo, ", ", hi,
      "], inside none of [0, 1], [-1, 1], [0, 255]; set \"output_range\" in model.json"));
}

}  // namespace ganserve
