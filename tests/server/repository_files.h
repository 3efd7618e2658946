// A model repository in a test's temporary directory, changed the way other
// teams change one, and what one poll of it logs.
#ifndef GANSERVE_TESTS_SERVER_REPOSITORY_FILES_H_
#define GANSERVE_TESTS_SERVER_REPOSITORY_FILES_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "tests/testing/source_dir.h"

namespace ganserve::testing {

inline std::filesystem::path SourceFixture(const std::string& relative) {
  return std::filesystem::path(SourceDir()) / "tests/fixtures" / relative;
}

// A fresh repository under the test's temporary directory.
inline std::filesystem::path NewRepository(const std::string& name) {
  const std::filesystem::path repo =
      std::filesystem::path(::testing::TempDir()) / (name + std::to_string(::getpid()));
  std::filesystem::remove_all(repo);
  std::filesystem::create_directories(repo);
  return repo;
}

// Written beside and renamed, as a deploy tool would, so a poll never sees half a file.
inline void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path.string() + ".tmp", std::ios::binary) << text;
  std::filesystem::rename(path.string() + ".tmp", path);
}

// What one PollOnce logs.
inline std::string PollLog(GanServer& server) {
  ::testing::internal::CaptureStderr();
  server.registry().PollOnce();
  return ::testing::internal::GetCapturedStderr();
}

inline std::vector<std::string> LinesWith(const std::string& log, const std::string& word) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, word)) lines.emplace_back(line);
  }
  return lines;
}

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_SERVER_REPOSITORY_FILES_H_
