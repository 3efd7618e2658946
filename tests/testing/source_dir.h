// Where tests find the source tree's files (fixtures, models, fuzz corpora):
// $GANSERVE_SOURCE_DIR, which ctest sets, or "." when run by hand from it.
#ifndef GANSERVE_TESTS_TESTING_SOURCE_DIR_H_
#define GANSERVE_TESTS_TESTING_SOURCE_DIR_H_

#include <cstdlib>
#include <string>

namespace ganserve {

inline std::string SourceDir() {
  const char* dir = std::getenv("GANSERVE_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

}  // namespace ganserve

#endif  // GANSERVE_TESTS_TESTING_SOURCE_DIR_H_
