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

namespace {

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char*>(data), length);
}

void FlushNothing(png_structp) {}

// libpng reports errors by longjmp; the message is kept for the status.
void RecordError(png_structp png, png_const_charp message) {
  *static_cast<std::string*>(png_get_error_ptr(png)) = message;
  png_longjmp(png, 1);
}

void IgnoreWarning(png_structp, png_const_charp) {}

// Writes rows with one fixed filter and zlib's fastest level: the simplified
// writer's per-row search over all five filters and its default level cost a
// served batch almost half its compute time again, for a few percent of size.
bool WritePng(const Image8& image, std::string& bytes, std::string& error) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, RecordError, IgnoreWarning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, &bytes, AppendToString, FlushNothing);
  const int color = image.channels == 1   ? PNG_COLOR_TYPE_GRAY
                    : image.channels == 2 ? PNG_COLOR_TYPE_GRAY_ALPHA
                    : image.channels == 3 ? PNG_COLOR_TYPE_RGB
                                          : PNG_COLOR_TYPE_RGBA;
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), 8, color, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(png, 1);
  png_write_info(png, info);
  const size_t stride = static_cast<size_t>(image.width * image.channels);
  for (int64_t y = 0; y < image.height; ++y) {
    png_write_row(png, image.pixels.data() + y * stride);
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

absl::StatusOr<std::string> EncodePng(const Image8& image) {
  if (image.channels < 1 || image.channels > 4 || image.height <= 0 || image.width <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.height * image.width * image.channels)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot encode a ", image.height, "x",
                                                   image.width, "x", image.channels, " image from ",
                                                   image.pixels.size(), " bytes"));
  }
  std::string bytes, error;
  bytes.reserve(image.pixels.size() / 2 + 128);
  if (!WritePng(image, bytes, error)) {
    return absl::InternalError(absl::StrCat("PNG encoding failed: ", error));
  }
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
