// libFuzzer target for the ONNX loader: any byte string must either load or
// be refused with a status, never crash, hang or allocate without bound. A
// graph that loads and is small is also run once through the reference
// executor at batch 1, so shape inference bugs show up as crashes here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/loaders/onnx_loader.h"
#include "engine/reference/reference_executor.h"

namespace {

constexpr int64_t kMaxRunElements = int64_t{1} << 16;

void RunSmallGraph(const std::shared_ptr<const ganserve::Graph>& graph) {
  for (const auto& node : graph->nodes()) {
    if (ganserve::NumElements(node.output_dims) > kMaxRunElements) return;
  }
  std::vector<ganserve::Tensor> inputs;
  for (size_t i = 0; i < graph->inputs().size(); ++i) {
    inputs.emplace_back(ganserve::WithBatch(1, graph->input_dims(i)));
  }
  ganserve::ReferenceExecutor exec(graph);
  auto ctx = exec.NewContext();
  ganserve::Tensor out;
  (void)exec.Run(*ctx, inputs, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model =
      ganserve::LoadOnnxModelFromBytes(std::string(reinterpret_cast<const char*>(data), size));
  if (!model.ok()) return 0;
  (void)model->graph->Summary();
  RunSmallGraph(model->graph);
  return 0;
}
