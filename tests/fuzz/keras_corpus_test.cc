// Replays the Keras fuzz corpus without libFuzzer, so every build checks the
// loader on the files that once hung or crashed it: each must be refused
// with a message.
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

}  // namespace
}  // namespace ganserve
