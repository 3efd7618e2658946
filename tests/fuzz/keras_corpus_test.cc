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
#include <utility>
#include <vector>

#include "engine/file_contents.h"
#include "engine/loaders/keras_loader.h"
#include "gtest/gtest.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  return files;
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

// The refusal names the structure that is corrupt, as found by reading the
// reproducer's bytes: a continuation length with its top byte set
// (0x5b00..0100), a heap ID naming an object its collection lacks, a vlen
// datatype not 16 bytes wide, a vlen string's character type of huge size,
// a continuation message declared 0 bytes long, a float dataset whose
// datatype claims 4 GB elements, a continuation chunk at an address the walk
// had already met as a would-be header, holding a vlen string attribute
// whose characters claim a huge size (libhdf5 asked for 25 GB), an
// attribute name without its NUL (libhdf5 strdup'ed past the chunk), an enum
// attribute datatype (libhdf5 strdup's its member names, unbounded), an
// attribute whose shape x element size runs past its message (memcpy'd), a
// local heap of 0x41ff.. bytes whose reserved bytes are not zero.
TEST(KerasFuzzCorpus, RefusalsNameTheCorruptStructure) {
  const std::pair<const char*, const char*> cases[] = {
      {"crash-huge-ohdr-continuation", "object header continuation"},
      {"crash-vlen-string-bad-heap-index", "names no object of its global heap"},
      {"crash-vlen-type-size-mismatch", "16-byte elements"},
      {"timeout-vlen-base-type-huge", "characters are not 1 byte"},
      {"oom-short-continuation-message", "continuation message is too short"},
      {"oom-float-dataset-huge-element.keras", "-byte floats"},
      {"oom-chunk-at-an-address-seen-as-header", "characters are not 1 byte"},
      {"crash-attribute-name-without-nul", "name does not end within its message"},
      {"crash-enum-attribute-member-name", "datatype of class 8"},
      {"crash-attribute-data-past-its-message", "data overruns its message"},
      {"crash-local-heap-reserved-bytes-set", "local heap's data lies outside the file"},
  };
  for (const auto& [file, expected] : cases) {
    auto model = LoadKerasModel(SourceDir() + "/tests/fuzz/corpus/keras/" + file);
    ASSERT_FALSE(model.ok()) << file;
    EXPECT_NE(model.status().message().find(expected), std::string::npos)
        << file << ": " << model.status();
  }
}

// A cheap deterministic stand-in for the fuzzer: overwrite 8-byte windows
// of each fixture with 0x00 and 0xff at a stride, and load each variant.
TEST(KerasFuzzCorpus, MangledFixturesReturnWithoutCrashing) {
  int loaded = 0, refused = 0;
  for (const std::string& path : FilesIn(SourceDir() + "/tests/fixtures/keras")) {
    const std::string good = ReadFileContents(path).value_or("");
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
