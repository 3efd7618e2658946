// What ganserve works out about a model's output when neither the file nor
// model.json says: the image shape of a flat output and the value range of
// an output no activation bounds.
#ifndef GANSERVE_ENGINE_OUTPUT_INFERENCE_H_
#define GANSERVE_ENGINE_OUTPUT_INFERENCE_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/tensor.h"

namespace ganserve {

// The warm-up batch a range is calibrated on: fixed, so a load is reproducible.
inline constexpr int64_t kCalibrationBatch = 32;
inline constexpr uint64_t kCalibrationSeed = 20260101;

// (S, S, C) — or (C, S, S) when channels_first — for the C of 3 or 1 with
// S * S * C == values; nullopt when neither fits.
std::optional<Dims> SquareImage(int64_t values, bool channels_first);

struct ValueRange {
  float min, max;
};

// The tightest of [0, 1], [-1, 1] and [0, 255] that holds `outputs` (each
// with a margin of 5% of its width, since an unbounded last layer overshoots
// a little; the encoder clips) and, beyond [0, 1], spans a fifth of it; an
// error giving the observed min/max when none does.
absl::StatusOr<ValueRange> ConventionalRangeOf(absl::Span<const float> outputs);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OUTPUT_INFERENCE_H_
