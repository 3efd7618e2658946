#include "engine/image_error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "engine/png.h"

namespace ganserve {

ImageError CompareAsImages(absl::Span<const float> got, absl::Span<const float> want, float lo,
                           float hi) {
  const std::vector<uint8_t> a = ToUint8(got, lo, hi), b = ToUint8(want, lo, hi);
  ImageError error;
  double squared = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const int d = std::abs(int{a[i]} - int{b[i]});
    squared += d * d;
    error.max_level_difference = std::max(error.max_level_difference, d);
  }
  const double mse = a.empty() ? 0 : squared / static_cast<double>(a.size());
  error.psnr_db =
      mse == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(255.0 * 255.0 / mse);
  return error;
}

}  // namespace ganserve
