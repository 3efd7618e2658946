// Text from a model file or a loader's answer, made fit for one log line: a
// name can hold any byte, and a NUL or line break would cut or split the line
// that reports it.
#ifndef GANSERVE_ENGINE_ONE_LINE_H_
#define GANSERVE_ENGINE_ONE_LINE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ganserve {

// `text` with every control byte (NUL and line breaks included) as a space.
inline std::string OneLine(absl::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return line;
}

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_ONE_LINE_H_
