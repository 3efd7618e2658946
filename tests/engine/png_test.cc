#include "engine/png.h"

#include <spng.h>

#include <cmath>
#include <random>
#include <utility>

#include "gtest/gtest.h"

namespace ganserve {
namespace {

TEST(Png, RoundTripsGreyAndRgb) {
  for (int channels : {1, 3}) {
    Image8 image{5, 7, channels, {}};
    for (int i = 0; i < 5 * 7 * channels; ++i) image.pixels.push_back(static_cast<uint8_t>(i * 7));
    auto bytes = EncodePng(image);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(bytes->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    auto back = DecodePng(*bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->height, 5);
    EXPECT_EQ(back->width, 7);
    EXPECT_EQ(back->channels, channels);
    EXPECT_EQ(back->pixels, image.pixels);
  }
}

// libspng shares no code with libpng, so it checks the encoder against an
// independent reading of the format, not against its own decoder.
struct SpngImage {
  spng_ihdr header{};
  std::vector<uint8_t> pixels;
};

SpngImage DecodeWithSpng(const std::string& bytes) {
  SpngImage out;
  spng_ctx* ctx = spng_ctx_new(0);
  EXPECT_EQ(spng_set_png_buffer(ctx, bytes.data(), bytes.size()), 0);
  EXPECT_EQ(spng_get_ihdr(ctx, &out.header), 0);
  size_t size = 0;
  EXPECT_EQ(spng_decoded_image_size(ctx, SPNG_FMT_PNG, &size), 0);
  out.pixels.resize(size);
  EXPECT_EQ(spng_decode_image(ctx, out.pixels.data(), size, SPNG_FMT_PNG, 0), 0);
  spng_ctx_free(ctx);
  return out;
}

TEST(Png, AnIndependentDecoderReadsBackTheExactPixels) {
  std::mt19937 random(12);
  const uint8_t spng_color[] = {0, SPNG_COLOR_TYPE_GRAYSCALE, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA,
                                SPNG_COLOR_TYPE_TRUECOLOR, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
  for (int channels = 1; channels <= 4; ++channels) {
    for (auto [height, width] : {std::pair{1, 1}, {28, 28}, {64, 64}, {3, 257}}) {
      Image8 image{height, width, channels, {}};
      for (int i = 0; i < height * width * channels; ++i) {
        // Smooth ramps (which SUB filtering turns to small numbers) mixed with noise.
        image.pixels.push_back(static_cast<uint8_t>(i % 3 == 0 ? random() : i / 5));
      }
      auto bytes = EncodePng(image);
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      const SpngImage back = DecodeWithSpng(*bytes);
      EXPECT_EQ(back.header.height, static_cast<uint32_t>(height));
      EXPECT_EQ(back.header.width, static_cast<uint32_t>(width));
      EXPECT_EQ(back.header.bit_depth, 8);
      EXPECT_EQ(back.header.color_type, spng_color[channels]);
      EXPECT_EQ(back.pixels, image.pixels) << height << "x" << width << "x" << channels;
    }
  }
}

// Every level writes the same pixels; stored rows are the largest file, and
// the slowest level is no larger than the fastest.
TEST(Png, EveryLevelWritesThePixelsAndHigherLevelsAreNoLarger) {
  Image8 image{64, 64, 3, {}};
  std::mt19937 random(5);
  for (int i = 0; i < 64 * 64 * 3; ++i) {
    image.pixels.push_back(static_cast<uint8_t>(i / 40 + random() % 4));
  }
  std::vector<size_t> sizes;
  for (int level : {0, 1, 6, 12}) {
    ASSERT_TRUE(SetPngLevel(level).ok());
    auto bytes = EncodePng(image);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(DecodeWithSpng(*bytes).pixels, image.pixels) << "level " << level;
    sizes.push_back(bytes->size());
  }
  ASSERT_TRUE(SetPngLevel(kDefaultPngLevel).ok());
  EXPECT_GT(sizes[0], image.pixels.size()) << "stored: the rows and their filter bytes";
  EXPECT_LT(sizes[1], sizes[0] / 2);
  EXPECT_LE(sizes[3], sizes[1]);
  for (int level : {-1, 13}) {
    absl::Status refused = SetPngLevel(level);
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(refused.message().find("0 (stored) to 12"), std::string::npos) << refused;
  }
  auto after = EncodePng(image);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->size(), sizes[1]) << "a refused level leaves the level as it was";
}

TEST(Png, RefusesInconsistentSizes) {
  EXPECT_FALSE(EncodePng(Image8{2, 2, 3, std::vector<uint8_t>(5)}).ok());
  EXPECT_FALSE(EncodePng(Image8{2, 2, 5, std::vector<uint8_t>(20)}).ok());
  EXPECT_FALSE(DecodePng("not a png").ok());
}

TEST(Png, ToUint8MapsTheRangeAndClips) {
  const std::vector<float> v = {-1.0f, 0.0f, 1.0f, 3.0f, -7.0f, NAN};
  EXPECT_EQ(ToUint8(v, -1.0f, 1.0f), (std::vector<uint8_t>{0, 128, 255, 255, 0, 0}));
}

// Against libm: lround of the clamped value, on exact halves (where rounding
// modes differ), their neighbours, random values, infinities and NaN.
TEST(Png, ToUint8RoundsAsLroundDoes) {
  std::vector<float> v;
  for (int k = -3; k <= 258; ++k) {
    const float half = static_cast<float>(k) + 0.5f;
    v.insert(v.end(), {half, std::nextafter(half, -1e9f), std::nextafter(half, 1e9f),
                       static_cast<float>(k)});
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> any(-20.0f, 275.0f);
  for (int i = 0; i < 10000; ++i) v.push_back(any(rng));
  v.insert(v.end(), {INFINITY, -INFINITY, NAN, 1e30f, -1e30f, 0.49999997f});
  for (const auto [lo, hi] : {std::pair{0.0f, 255.0f}, {-1.0f, 1.0f}, {-3.0f, 3.0f}}) {
    std::vector<float> values(v.size());
    std::vector<uint8_t> want(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      values[i] = lo + v[i] * (hi - lo) / 255.0f;
      const float scaled = (values[i] - lo) * (255.0f / (hi - lo));
      want[i] = std::isnan(scaled)
                    ? 0
                    : static_cast<uint8_t>(std::lround(std::fmin(std::fmax(scaled, 0.0f), 255.0f)));
    }
    EXPECT_EQ(ToUint8(values, lo, hi), want) << lo << ".." << hi;
  }
}

}  // namespace
}  // namespace ganserve
