// libFuzzer target for the Keras loader: the input bytes become a file
// (HDF5 or .keras zip, chosen by content) and LoadKerasModel must return a
// Status, never crash, leak or read out of bounds.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/loaders/keras_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/keras_fuzz_" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto model = ganserve::LoadKerasModel(path);
  (void)model;
  return 0;
}
