// Reads a model repository folder by folder: which folders hold one model
// file to load, and which must be refused (two model files, a symlink out of
// the repository), each with the message the registry logs.
#ifndef GANSERVE_SERVER_MODEL_REGISTRY_SCAN_H_
#define GANSERVE_SERVER_MODEL_REGISTRY_SCAN_H_

#include <string>
#include <vector>

namespace ganserve {

struct ModelSource {
  std::string name;
  std::string path;          // the model file
  std::string options_path;  // model.json; empty or missing: none
};

struct RefusedSource {
  std::string name;
  std::string path;     // the folder or file at fault
  std::string message;  // what is wrong, without the path
};

struct RepositoryScan {
  std::vector<ModelSource> sources;
  std::vector<RefusedSource> refused;
};

// One folder per model, sorted by name; folders without a model file are
// not models (a model whose folder loses its file is removed).
RepositoryScan ScanRepository(const std::string& repository);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_MODEL_REGISTRY_SCAN_H_
