// Reads the members of a Keras v3 `.keras` archive (a zip holding
// config.json, metadata.json and model.weights.h5) into memory.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_ZIP_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_ZIP_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ganserve {

// Reads the named members; a missing member is a NotFound error naming it.
absl::StatusOr<std::map<std::string, std::string>> ReadZipMembers(
    const std::string& path, const std::vector<std::string>& names);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_ZIP_H_
