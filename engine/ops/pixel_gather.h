// What the ops that pad or crop (H, W, C) samples share: their input check
// and the copy of each output pixel from the input pixel it shows.
#ifndef GANSERVE_ENGINE_OPS_PIXEL_GATHER_H_
#define GANSERVE_ENGINE_OPS_PIXEL_GATHER_H_

#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/tensor.h"

namespace ganserve {

struct Borders {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};

// One (H, W, C) input and no negative border, or an error naming `type`.
absl::Status CheckBorderedInput(absl::string_view type, absl::Span<const Dims> inputs,
                                const Borders& borders);

// Output pixel (y, x) of every sample of `x` (N, H, W, C) from input pixel
// (row_of(y), col_of(x)); where either is negative the output pixel is left
// as it is. Allocates nothing.
template <typename RowOf, typename ColOf>
void GatherPixels(const Tensor& x, RowOf row_of, ColOf col_of, Tensor& output) {
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], c = x.shape[3];
  const int64_t oh = output.shape[1], ow = output.shape[2];
  for (int64_t s = 0; s < n; ++s) {
    for (int64_t y = 0; y < oh; ++y) {
      const int64_t sy = row_of(y);
      if (sy < 0) continue;
      for (int64_t xx = 0; xx < ow; ++xx) {
        const int64_t sx = col_of(xx);
        if (sx < 0) continue;
        std::copy_n(&x.data[((s * ih + sy) * iw + sx) * c], c,
                    &output.data[((s * oh + y) * ow + xx) * c]);
      }
    }
  }
}

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_PIXEL_GATHER_H_
