// The one way the code reads a whole file into memory.
#ifndef GANSERVE_ENGINE_FILE_CONTENTS_H_
#define GANSERVE_ENGINE_FILE_CONTENTS_H_

#include <optional>
#include <string>

namespace ganserve {

// The file's bytes, or nullopt when it cannot be opened: each caller words
// the error for its own flag or file kind.
std::optional<std::string> ReadFileContents(const std::string& path);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_FILE_CONTENTS_H_
