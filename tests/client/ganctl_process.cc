#include "tests/client/ganctl_process.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/file_contents.h"
#include "gtest/gtest.h"
#include "tests/testing/source_dir.h"

namespace ganserve::testing {

GanctlRun Ganctl(const std::string& args) {
  FILE* pipe = popen(absl::StrCat(GANCTL_PATH, " ", args, " 2>&1").c_str(), "r");
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string ReadFile(const std::filesystem::path& path) {
  return ReadFileContents(path).value_or("");
}

std::filesystem::path SourcePath(const std::string& relative) {
  return std::filesystem::path(SourceDir()) / relative;
}

std::filesystem::path FreshTestDir(const std::string& prefix) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      absl::StrCat(prefix, ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ganserve::testing
