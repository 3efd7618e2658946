// Contact sheets: tiles in rows with a grey gutter, each pixel scaled up.
#include "engine/contact_sheet.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::HasSubstr;

TEST(ContactSheet, PlacesTilesRowByRowWithAGutter) {
  Image8 one{1, 1, 1, {10}}, two{1, 1, 1, {20}}, three{1, 1, 1, {30}};
  auto sheet = MakeContactSheet(ToRows({one, two, three}, 2), 1);
  ASSERT_TRUE(sheet.ok());
  EXPECT_EQ(sheet->width, 5);
  EXPECT_EQ(sheet->height, 5);
  EXPECT_EQ(sheet->pixels[1 * 5 + 1], 10);
  EXPECT_EQ(sheet->pixels[1 * 5 + 3], 20);
  EXPECT_EQ(sheet->pixels[3 * 5 + 1], 30);
  EXPECT_EQ(sheet->pixels[3 * 5 + 3], 128);  // the short last row leaves gutter grey
  Image8 big{2, 2, 1, std::vector<uint8_t>(4)};
  EXPECT_THAT(std::string(MakeContactSheet({{one, big}}).status().message()),
              HasSubstr("differ in size"));
}

TEST(ContactSheet, ScaleRepeatsEachPixelButNotTheGutter) {
  Image8 tile{1, 2, 1, {10, 20}};
  auto sheet = MakeContactSheet({{tile}}, 1, 2);
  ASSERT_TRUE(sheet.ok());
  EXPECT_EQ(sheet->width, 6);  // 1 + 2*2 + 1
  EXPECT_EQ(sheet->height, 4);
  EXPECT_EQ(sheet->pixels, (std::vector<uint8_t>{128, 128, 128, 128, 128, 128,  //
                                                 128, 10,  10,  20,  20,  128,  //
                                                 128, 10,  10,  20,  20,  128,  //
                                                 128, 128, 128, 128, 128, 128}));
  EXPECT_FALSE(MakeContactSheet({{tile}}, 1, 0).ok());
}

TEST(ContactSheet, AutoScaleMakesTilesAboutAHundredPixels) {
  EXPECT_EQ(AutoSheetScale(28, 28), 4);
  EXPECT_EQ(AutoSheetScale(64, 64), 2);
  EXPECT_EQ(AutoSheetScale(128, 128), 1);
  EXPECT_EQ(AutoSheetScale(4, 4), 25);
}

}  // namespace
}  // namespace ganserve
