// Every value a flag was given on the command line. Abseil keeps only the last
// occurrence of a flag, so `--model a=x --model b=y` would serve only b.
#ifndef GANSERVE_SERVER_REPEATED_FLAG_H_
#define GANSERVE_SERVER_REPEATED_FLAG_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ganserve {

// The values of `--name=V`, `-name=V`, `--name V` and `-name V` in argv, in
// order, up to a bare `--` (after it Abseil parses no flags either).
std::vector<std::string> FlagOccurrences(int argc, const char* const* argv, absl::string_view name);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_REPEATED_FLAG_H_
