#include "engine/png.h"

#include <png.h>

#include <cmath>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ganserve {
std::vector<uint8_t> ToUint8(absl::Span<const float> values, float lo, float hi) {
  std::vector<uint8_t> out(values.size());
  const float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
  for (size_t i = 0; i < values.size(); ++i) {
    const float v = (values[i] - lo) * scale;
    out[i] = std::isnan(v)
                 ? 0
                 : static_cast<uint8_t>(std::lround(std::fmin(std::fmax(v, 0.0f), 255.0f)));
  }
  return out;
}

absl::StatusOr<std::string> EncodePng(const Image8& image) {
  if (image.channels < 1 || image.channels > 4 || image.height <= 0 || image.width <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.height * image.width * image.channels)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot encode a ", image.height, "x",
                                                   image.width, "x", image.channels, " image from ",
                                                   image.pixels.size(), " bytes"));
  }
  png_image desc;
  std::memset(&desc, 0, sizeof(desc));
  desc.version = PNG_IMAGE_VERSION;
  desc.width = static_cast<png_uint_32>(image.width);
  desc.height = static_cast<png_uint_32>(image.height);
  desc.format = image.channels == 1   ? PNG_FORMAT_GRAY
                : image.channels == 2 ? PNG_FORMAT_GA
                : image.channels == 3 ? PNG_FORMAT_RGB
                                      : PNG_FORMAT_RGBA;
  // One pass into a buffer of the format's worst case: asking libpng for the
  // size first would compress the image twice.
  png_alloc_size_t size = PNG_IMAGE_PNG_SIZE_MAX(desc);
  std::string bytes(size, '\0');
  const auto stride = static_cast<png_int_32>(image.width * image.channels);
  if (!png_image_write_to_memory(&desc, bytes.data(), &size, 0, image.pixels.data(), stride,
                                 nullptr)) {
    return absl::InternalError(absl::StrCat("PNG encoding failed: ", desc.message));
  }
  bytes.resize(size);
  return bytes;
}

absl::StatusOr<Image8> DecodePng(const std::string& bytes) {
  png_image desc;
  std::memset(&desc, 0, sizeof(desc));
  desc.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&desc, bytes.data(), bytes.size())) {
    return absl::InvalidArgumentError(absl::StrCat("not a PNG: ", desc.message));
  }
  Image8 image;
  image.height = desc.height;
  image.width = desc.width;
  image.channels = PNG_IMAGE_SAMPLE_CHANNELS(desc.format);
  image.pixels.resize(PNG_IMAGE_SIZE(desc));
  if (!png_image_finish_read(&desc, nullptr, image.pixels.data(), 0, nullptr)) {
    return absl::InvalidArgumentError(absl::StrCat("corrupt PNG: ", desc.message));
  }
  return image;
}

}  // namespace ganserve
