// PNG encoding of 8-bit grey, grey+alpha, RGB or RGBA images (deflate by
// libdeflate, decoding by libpng), and the mapping of a model's float output
// range to 0..255.
#ifndef GANSERVE_ENGINE_PNG_H_
#define GANSERVE_ENGINE_PNG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace ganserve {

struct Image8 {
  int64_t height = 0, width = 0, channels = 0;  // channels 1, 2, 3 or 4
  std::vector<uint8_t> pixels;                  // row-major HWC
};

// Maps values in [lo, hi] linearly to 0..255 with rounding; values outside
// are clipped, NaN becomes 0.
std::vector<uint8_t> ToUint8(absl::Span<const float> values, float lo, float hi);

// The PNG file bytes (deterministic: same pixels and level, same bytes).
absl::StatusOr<std::string> EncodePng(const Image8& image);

// The deflate level EncodePng uses from now on, in every thread: libdeflate's
// 0 (stored: the largest files, the least CPU) to 12 (the smallest, the most).
inline constexpr int kDefaultPngLevel = 1;  // libdeflate's fastest that compresses
absl::Status SetPngLevel(int level);

// Decodes a PNG written by EncodePng (for tests and tools).
absl::StatusOr<Image8> DecodePng(const std::string& bytes);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_PNG_H_
