// How far one set of generated images is from another once both are the
// uint8 levels ganserve sends (engine/png.h's ToUint8): PSNR and the largest
// level difference. The measure of bf16 against f32.
#ifndef GANSERVE_ENGINE_IMAGE_ERROR_H_
#define GANSERVE_ENGINE_IMAGE_ERROR_H_

#include "absl/types/span.h"

namespace ganserve {

struct ImageError {
  double psnr_db = 0;  // infinity when the levels are equal
  int max_level_difference = 0;
};

// `got` and `want` hold the same number of values in the model's range [lo, hi].
ImageError CompareAsImages(absl::Span<const float> got, absl::Span<const float> want, float lo,
                           float hi);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_IMAGE_ERROR_H_
