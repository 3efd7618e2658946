// libFuzzer target for ModelInfer's decoding and planning: any byte string
// must be refused with a status or answered, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/infer_request_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ganserve::testing::DecodePlanAndAnswer(
      std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
