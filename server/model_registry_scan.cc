#include "server/model_registry_scan.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/loaders/load_model.h"

namespace ganserve {
namespace {

namespace fs = std::filesystem;

// The formats' table (engine/loaders/load_model.h) says which names are models.
bool IsModelFile(const fs::path& path) { return IsModelFileExtension(path.extension().string()); }

bool IsWithin(const fs::path& path, const fs::path& root) {
  return std::mismatch(root.begin(), root.end(), path.begin(), path.end()).first == root.end();
}

// Why `path` may not be read: it resolves outside `root` (or not at all).
std::optional<std::string> LeavesRepository(const fs::path& path, const fs::path& root) {
  std::error_code error;
  const fs::path real = fs::canonical(path, error);
  if (error) return absl::StrCat("cannot be resolved (", error.message(), ")");
  if (IsWithin(real, root)) return std::nullopt;
  return absl::StrCat("is a symlink to ", real.string(), ", outside the repository ", root.string(),
                      "; only files inside it are loaded");
}

}  // namespace

RepositoryScan ScanRepository(const std::string& repository) {
  RepositoryScan scan;
  std::error_code error;
  const fs::path root = fs::canonical(repository, error);
  if (error) return scan;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(root, error)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    const std::string name = folder.filename().string();
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
      if (entry.is_regular_file() && IsModelFile(entry.path())) files.push_back(entry.path());
    }
    if (files.empty()) continue;
    std::sort(files.begin(), files.end());
    if (auto why = LeavesRepository(folder, root)) {
      scan.refused.push_back({name, folder.string(), absl::StrCat("the folder ", *why)});
      continue;
    }
    if (files.size() > 1) {
      std::vector<std::string> names;
      for (const fs::path& file : files) names.push_back(file.filename().string());
      scan.refused.push_back({name, folder.string(),
                              absl::StrCat("the folder holds ", files.size(), " model files (",
                                           absl::StrJoin(names, ", "), "); keep exactly one")});
      continue;
    }
    const fs::path options = folder / "model.json";
    std::optional<RefusedSource> refusal;
    for (const fs::path& path : {files[0], options}) {
      if (refusal || (path == options && !fs::exists(fs::symlink_status(path)))) continue;
      if (auto why = LeavesRepository(path, root))
        refusal = RefusedSource{name, path.string(), *why};
    }
    if (refusal) {
      scan.refused.push_back(*std::move(refusal));
      continue;
    }
    scan.sources.push_back({name, files[0].string(), options.string()});
  }
  return scan;
}

}  // namespace ganserve
