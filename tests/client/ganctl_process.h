// What the ganctl end-to-end tests share: running the built binary, reading
// the files it wrote, and finding fixtures in the source tree.
#ifndef GANSERVE_TESTS_CLIENT_GANCTL_PROCESS_H_
#define GANSERVE_TESTS_CLIENT_GANCTL_PROCESS_H_

#include <filesystem>
#include <string>

namespace ganserve::testing {

struct GanctlRun {
  int exit_code;
  std::string out;  // stdout and stderr together
};

// Runs `ganctl <args>` through the shell.
GanctlRun Ganctl(const std::string& args);

std::string ReadFile(const std::filesystem::path& path);

// `relative` under $GANSERVE_SOURCE_DIR (set by ctest), or under "." without it.
std::filesystem::path SourcePath(const std::string& relative);

// A fresh empty folder named after the running test.
std::filesystem::path FreshTestDir(const std::string& prefix);

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_CLIENT_GANCTL_PROCESS_H_
