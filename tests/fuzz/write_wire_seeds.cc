// Writes the wire encoding of every fixture model that loads into a
// directory, as the seed corpus of model_wire_fuzz.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/loaders/load_model.h"
#include "engine/wire/model_codec.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SOURCE_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  int written = 0;
  for (const char* dir : {"/tests/fixtures/keras", "/tests/fixtures/onnx"}) {
    for (const auto& e : std::filesystem::directory_iterator(std::string(argv[1]) + dir)) {
      if (!ganserve::IsModelFileExtension(e.path().extension().string())) continue;
      auto model = ganserve::LoadModel(e.path().string());
      if (!model.ok()) continue;
      auto bytes = ganserve::EncodeLoadedModel(*model);
      if (!bytes.ok()) continue;
      std::ofstream(std::filesystem::path(argv[2]) / e.path().filename(), std::ios::binary)
          << *bytes;
      ++written;
    }
  }
  std::printf("%d seeds\n", written);
  return written > 0 ? 0 : 1;
}
