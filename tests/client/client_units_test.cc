// The small pieces of ganctl: spherical interpolation, contact sheets, target resolution and flag
// parsing.
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "client/connection.h"
#include "client/flag_set.h"
#include "client/image_files.h"
#include "engine/contact_sheet.h"
#include "engine/latent_interpolation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Slerp, EndsAreExactAndTheMiddleKeepsTheNorm) {
  const std::vector<float> a = {3, 0, 0}, b = {0, 3, 0};
  EXPECT_EQ(Slerp(a, b, 0), a);
  EXPECT_THAT(Slerp(a, b, 1), ElementsAre(::testing::FloatNear(0, 1e-6), 3, 0));
  const std::vector<float> mid = Slerp(a, b, 0.5);
  EXPECT_NEAR(std::hypot(mid[0], mid[1]), 3.0, 1e-5);  // a straight line would give 2.12
  EXPECT_NEAR(mid[0], 3 * std::cos(M_PI / 4), 1e-5);
  EXPECT_EQ(SlerpPath(a, b, 4).size(), 12u);
  EXPECT_EQ(Slerp(a, a, 0.3), a);  // parallel: no division by sin(0)
}

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

// The bundled model's class 0 is "T-shirt/top": a file name, not a folder.
TEST(ImageStem, ASlashInTheClassNameStaysInTheFileName) {
  EXPECT_EQ(ImageStem("out", "seed7_", 3, "T-shirt/top"), "out/seed7_0003_T-shirt-top");
  EXPECT_EQ(ImageStem("out", "", 12, ""), "out/0012");
}

TEST(ResolveTarget, ListsBecomeRoundRobinOverLiteralAddresses) {
  auto one = ResolveTarget("localhost:50051");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->uri, "localhost:50051");
  EXPECT_FALSE(one->round_robin);
  auto list = ResolveTarget("127.0.0.1:1,localhost:2");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->uri, "ipv4:127.0.0.1:1,127.0.0.1:2");
  EXPECT_TRUE(list->round_robin);
  auto dns = ResolveTarget("dns:///ganserve-headless:50051");
  ASSERT_TRUE(dns.ok());
  EXPECT_EQ(dns->uri, "dns:///ganserve-headless:50051");
  EXPECT_TRUE(dns->round_robin);
  EXPECT_THAT(std::string(ResolveTarget("127.0.0.1:1,nocolon").status().message()),
              HasSubstr("expected host:port"));
}

TEST(FlagSet, ParsesLongShortEqualsAndMultiValueFlags) {
  std::string s;
  int64_t n = 0;
  bool b = false;
  absl::Duration d;
  std::vector<std::string> pair;
  FlagSet flags("t", "test");
  flags.String("name", &s, "");
  flags.Int("count,n", &n, "");
  flags.Bool("stream", &b, "");
  flags.Duration("duration", &d, "");
  flags.Strings("interpolate", 2, &pair, "");
  ASSERT_TRUE(flags
                  .Parse({"--name=x", "-n", "5", "--stream", "--duration", "1m30s", "--interpolate",
                          "3", "9", "file"})
                  .ok());
  EXPECT_EQ(s, "x");
  EXPECT_EQ(n, 5);
  EXPECT_TRUE(b);
  EXPECT_EQ(d, absl::Seconds(90));
  EXPECT_THAT(pair, ElementsAre("3", "9"));
  EXPECT_THAT(flags.positional(), ElementsAre("file"));
  EXPECT_TRUE(flags.WasSet("count"));
  FlagSet strict("t", "test");
  strict.Int("count", &n, "");
  EXPECT_THAT(std::string(strict.Parse({"--count", "many"}).message()),
              HasSubstr("--count wants an integer"));
  EXPECT_THAT(std::string(strict.Parse({"--count"}).message()), HasSubstr("wants 1 value"));
}

}  // namespace
}  // namespace ganserve::client
