#include "engine/file_contents.h"

#include <fstream>
#include <sstream>

namespace ganserve {

std::optional<std::string> ReadFileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace ganserve
