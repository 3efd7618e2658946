#include "server/repeated_flag.h"

namespace ganserve {
namespace {

bool ConsumePrefix(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::vector<std::string> FlagOccurrences(int argc, const char* const* argv, std::string_view name) {
  std::vector<std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (!ConsumePrefix(arg, "-")) continue;
    ConsumePrefix(arg, "-");
    if (!ConsumePrefix(arg, name)) continue;
    if (ConsumePrefix(arg, "=")) {
      values.emplace_back(arg);
    } else if (arg.empty() && i + 1 < argc) {
      values.emplace_back(argv[++i]);
    }
  }
  return values;
}

}  // namespace ganserve
