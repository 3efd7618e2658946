// Where ganserve-load is: the server and ganctl run it to parse model files,
// so both look for it the same way.
#ifndef GANSERVE_ENGINE_LOADER_CHILD_LOADER_BINARY_H_
#define GANSERVE_ENGINE_LOADER_CHILD_LOADER_BINARY_H_

#include <string>

#include "absl/status/statusor.h"

namespace ganserve {

// `requested` (a --loader_binary flag) when set, else ganserve-load next to
// the running executable (an install, the container), else the one this
// build tree made. FailedPrecondition names every place tried.
absl::StatusOr<std::string> FindLoaderBinary(const std::string& requested);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADER_CHILD_LOADER_BINARY_H_
