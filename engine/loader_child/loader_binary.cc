#include "engine/loader_child/loader_binary.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ganserve {

absl::StatusOr<std::string> FindLoaderBinary(const std::string& requested) {
  namespace fs = std::filesystem;
  std::vector<std::string> candidates;
  if (!requested.empty()) {
    candidates.push_back(requested);
  } else {
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (!error) candidates.push_back((exe.parent_path() / "ganserve-load").string());
    candidates.push_back(GANSERVE_LOADER_BUILD_PATH);
  }
  for (const std::string& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the model loader ganserve-load is not an executable file at ",
                   absl::StrJoin(candidates, " or "),
                   "; it parses every model file, build it (target ganserve-load) or name it with "
                   "--loader_binary"));
}

}  // namespace ganserve
