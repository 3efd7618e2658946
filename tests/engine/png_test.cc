#include "engine/png.h"

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

TEST(Png, RefusesInconsistentSizes) {
  EXPECT_FALSE(EncodePng(Image8{2, 2, 3, std::vector<uint8_t>(5)}).ok());
  EXPECT_FALSE(EncodePng(Image8{2, 2, 5, std::vector<uint8_t>(20)}).ok());
  EXPECT_FALSE(DecodePng("not a png").ok());
}

TEST(Png, ToUint8MapsTheRangeAndClips) {
  const std::vector<float> v = {-1.0f, 0.0f, 1.0f, 3.0f, -7.0f, NAN};
  EXPECT_EQ(ToUint8(v, -1.0f, 1.0f), (std::vector<uint8_t>{0, 128, 255, 255, 0, 0}));
}

}  // namespace
}  // namespace ganserve
