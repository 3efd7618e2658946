// Replays the Keras fuzz corpus without libFuzzer, so every build checks the
// loader on the files that once hung or crashed it: each must be refused
// with a message, and every mangled variant of a good fixture must return
// (refused or loaded), never crash or hang.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/loaders/keras_loader.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

std::string SourceDir() {
  const char* dir = std::getenv("GANSERVE_SOURCE_DIR");
  return dir ? dir : ".";
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  return files;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(KerasFuzzCorpus, PastFindingsAreRefusedWithAMessage) {
  const auto files = FilesIn(SourceDir() + "/tests/fuzz/corpus/keras");
  ASSERT_FALSE(files.empty());
  for (const std::string& path : files) {
    auto model = LoadKerasModel(path);
    ASSERT_FALSE(model.ok()) << path;
    EXPECT_FALSE(model.status().message().empty()) << path;
  }
}

// The refusal names the structure that is corrupt: in the first file an
// object header continuation's length has its top byte set (0x5b00..0100),
// in the second a vlen string's heap ID names an object its collection lacks.
TEST(KerasFuzzCorpus, RefusalsNameTheCorruptStructure) {
  const std::string dir = SourceDir() + "/tests/fuzz/corpus/keras/";
  auto huge = LoadKerasModel(dir + "crash-huge-ohdr-continuation");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("object header continuation"), std::string::npos)
      << huge.status();
  auto vlen = LoadKerasModel(dir + "crash-vlen-string-bad-heap-index");
  ASSERT_FALSE(vlen.ok());
  EXPECT_NE(vlen.status().message().find("variable-length string"), std::string::npos)
      << vlen.status();
}

// A cheap deterministic stand-in for the fuzzer: overwrite 8-byte windows
// of each fixture with 0x00 and 0xff at a stride, and load each variant.
TEST(KerasFuzzCorpus, MangledFixturesReturnWithoutCrashing) {
  int loaded = 0, refused = 0;
  for (const std::string& path : FilesIn(SourceDir() + "/tests/fixtures/keras")) {
    const std::string good = ReadAll(path);
    const std::string ext = std::filesystem::path(path).extension().string();
    for (size_t at = 0; at + 8 <= good.size(); at += good.size() / 24 + 1) {
      for (char fill : {'\0', '\xff'}) {
        std::string bad = good;
        bad.replace(at, 8, 8, fill);
        auto model = LoadKerasModel(WriteTemp("mangled" + ext, bad));
        if (model.ok()) {
          ++loaded;
        } else {
          ++refused;
          EXPECT_FALSE(model.status().message().empty());
        }
      }
    }
  }
  EXPECT_GT(refused, 0);  // the header windows at least must be refused
  std::printf("mangled fixtures: %d loaded, %d refused\n", loaded, refused);
}

}  // namespace
}  // namespace ganserve
