#include "engine/png.h"

#include <libdeflate.h>
#include <png.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ganserve {
std::vector<uint8_t> ToUint8(absl::Span<const float> values, float lo, float hi) {
  std::vector<uint8_t> out(values.size());
  const float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
  // Written so the compiler vectorises it (with -fno-trapping-math, see
  // CMakeLists): lround per value was 4% of the server's CPU on 64x64 RGB
  // images. Rounds half away from zero as lround does: v - whole is exact
  // for 0 <= v <= 255.
  // Raw pointers: a uint8_t store may alias the vector's own pointer.
  const float* in = values.data();
  uint8_t* to = out.data();
  for (size_t i = 0; i < values.size(); ++i) {
    float v = (in[i] - lo) * scale;
    v = v > 0.0f ? v : 0.0f;  // NaN too
    v = v < 255.0f ? v : 255.0f;
    const int whole = static_cast<int>(v);
    to[i] = static_cast<uint8_t>(whole + (v - static_cast<float>(whole) >= 0.5f ? 1 : 0));
  }
  return out;
}

namespace {

void AppendBigEndian32(std::string& bytes, uint32_t value) {
  const char be[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                      static_cast<char>(value >> 8), static_cast<char>(value)};
  bytes.append(be, 4);
}

void PutBigEndian32(char* at, uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<char>(value >> (24 - 8 * i));
}

// Closes the chunk whose length field starts at `start`: its length, then the
// CRC of its type and data (PNG spec 5.3).
void EndChunk(std::string& bytes, size_t start) {
  const size_t data_length = bytes.size() - start - 8;
  PutBigEndian32(bytes.data() + start, static_cast<uint32_t>(data_length));
  AppendBigEndian32(bytes, libdeflate_crc32(0, bytes.data() + start + 4, data_length + 4));
}

size_t BeginChunk(std::string& bytes, const char type[4]) {
  const size_t start = bytes.size();
  bytes.append(4, '\0');
  bytes.append(type, 4);
  return start;
}

// Each row behind filter type 1 (SUB): a byte minus the same channel's byte
// to its left. One fixed filter, not libpng's per-row search over five.
std::vector<uint8_t> SubFilteredRows(const Image8& image) {
  const size_t stride = static_cast<size_t>(image.width * image.channels);
  const size_t channels = static_cast<size_t>(image.channels);
  std::vector<uint8_t> rows((stride + 1) * static_cast<size_t>(image.height));
  for (int64_t y = 0; y < image.height; ++y) {
    const uint8_t* in = image.pixels.data() + y * stride;
    uint8_t* out = rows.data() + y * (stride + 1);
    out[0] = 1;
    std::copy_n(in, channels, out + 1);
    for (size_t i = channels; i < stride; ++i) out[1 + i] = in[i] - in[i - channels];
  }
  return rows;
}

struct FreeCompressor {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

constexpr int kMaxPngLevel = 12;
std::atomic<int> png_level{kDefaultPngLevel};

// One compressor per thread and level, since allocating one costs more than
// compressing a small image.
libdeflate_compressor* ThreadCompressor() {
  thread_local std::unique_ptr<libdeflate_compressor, FreeCompressor> compressors[kMaxPngLevel + 1];
  const int level = png_level.load(std::memory_order_relaxed);
  if (compressors[level] == nullptr) compressors[level].reset(libdeflate_alloc_compressor(level));
  return compressors[level].get();
}

}  // namespace

absl::Status SetPngLevel(int level) {
  if (level < 0 || level > kMaxPngLevel) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG level ", level, " is not one of 0 (stored) to ", kMaxPngLevel));
  }
  png_level.store(level, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodePng(const Image8& image) {
  if (image.channels < 1 || image.channels > 4 || image.height <= 0 || image.width <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.height * image.width * image.channels)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot encode a ", image.height, "x",
                                                   image.width, "x", image.channels, " image from ",
                                                   image.pixels.size(), " bytes"));
  }
  libdeflate_compressor* compressor = ThreadCompressor();
  if (compressor == nullptr) return absl::ResourceExhaustedError("PNG encoding: out of memory");
  const std::vector<uint8_t> rows = SubFilteredRows(image);
  const size_t bound = libdeflate_zlib_compress_bound(compressor, rows.size());
  std::string bytes("\x89PNG\r\n\x1a\n", 8);
  bytes.reserve(8 + 25 + 12 + bound + 12);

  const size_t header = BeginChunk(bytes, "IHDR");
  AppendBigEndian32(bytes, static_cast<uint32_t>(image.width));
  AppendBigEndian32(bytes, static_cast<uint32_t>(image.height));
  const char color_type[] = {0, 0, 4, 2, 6};  // grey, grey+alpha, RGB, RGBA
  // Bit depth 8, the colour type, deflate, adaptive filtering, no interlace.
  const char fields[5] = {8, color_type[image.channels], 0, 0, 0};
  bytes.append(fields, 5);
  EndChunk(bytes, header);

  const size_t data = BeginChunk(bytes, "IDAT");
  const size_t at = bytes.size();
  bytes.resize(at + bound);
  const size_t compressed =
      libdeflate_zlib_compress(compressor, rows.data(), rows.size(), bytes.data() + at, bound);
  if (compressed == 0) return absl::InternalError("PNG encoding failed: deflate overflowed");
  bytes.resize(at + compressed);
  EndChunk(bytes, data);

  EndChunk(bytes, BeginChunk(bytes, "IEND"));
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
