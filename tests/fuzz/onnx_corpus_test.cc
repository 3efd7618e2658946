// Replays the ONNX fuzz corpus without libFuzzer, so every build checks the
// loader on the inputs that once crashed or hung it (tests/fuzz/corpus/onnx,
// each must be refused with a message), and loads mangled variants of every
// fixture model, which must return (refused or loaded), never crash.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/file_contents.h"
#include "engine/loaders/onnx_loader.h"
#include "gtest/gtest.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

std::vector<std::string> FilesIn(const std::string& dir, const std::string& ext = "") {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && (ext.empty() || e.path().extension() == ext)) {
      files.push_back(e.path().string());
    }
  }
  return files;
}

TEST(OnnxFuzzCorpus, PastFindingsAreRefusedWithAMessage) {
  const auto files = FilesIn(SourceDir() + "/tests/fuzz/corpus/onnx");
  ASSERT_FALSE(files.empty());
  for (const std::string& path : files) {
    auto model = LoadOnnxModelFromBytes(ReadFileContents(path).value_or(""));
    ASSERT_FALSE(model.ok()) << path;
    EXPECT_FALSE(model.status().message().empty()) << path;
    // The seeds are well-formed models refused at one node, which the message names.
    if (std::filesystem::path(path).filename().string().rfind("seed-", 0) == 0) {
      EXPECT_NE(model.status().message().find(" node '"), std::string::npos) << model.status();
    }
  }
}

// A cheap deterministic stand-in for the fuzzer: overwrite byte windows of
// each fixture with 0x00 and 0xff at a stride, truncate it, and load each.
TEST(OnnxFuzzCorpus, MangledFixturesReturnWithoutCrashing) {
  const auto fixtures = FilesIn(SourceDir() + "/tests/fixtures/onnx", ".onnx");
  ASSERT_FALSE(fixtures.empty());
  int loaded = 0, refused = 0;
  for (const std::string& path : fixtures) {
    const std::string good = ReadFileContents(path).value_or("");
    std::vector<std::string> variants;
    for (size_t at = 0; at + 4 <= good.size(); at += good.size() / 32 + 1) {
      for (char fill : {'\x00', '\xff'}) {
        std::string bad = good;
        bad.replace(at, 4, 4, fill);
        variants.push_back(std::move(bad));
      }
      variants.push_back(good.substr(0, at));
    }
    for (const std::string& bytes : variants) {
      (LoadOnnxModelFromBytes(bytes).ok() ? loaded : refused)++;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(loaded + refused, 100);
}

}  // namespace
}  // namespace ganserve
