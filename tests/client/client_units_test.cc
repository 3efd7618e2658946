// The small pieces of ganctl: image file names, target resolution and flag parsing.
#include <cstdlib>
#include <filesystem>

#include "client/connection.h"
#include "client/flag_set.h"
#include "client/image_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
