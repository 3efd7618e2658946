// libFuzzer target for the loader child's answer decoder: whatever bytes a
// crashed or hostile child writes must decode into a graph that passed every
// op's InferShape, or be refused with a status; never crash, hang or
// allocate more than the answer's own size allows. Seeds: run
//   build/tests/fuzz/write_wire_seeds SOURCE_DIR CORPUS  (encodes every fixture model)
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "engine/wire/model_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model =
      ganserve::DecodeLoadedModel(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!model.ok()) return 0;
  (void)model->graph->Summary();
  (void)model->graph->Params();
  return 0;
}
