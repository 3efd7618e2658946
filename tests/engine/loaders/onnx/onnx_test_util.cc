#include "tests/engine/loaders/onnx/onnx_test_util.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Tensor> RunLoaded(const LoadedModel& model, std::vector<Tensor> inputs,
                                 ExecutorKind kind) {
  const Graph& g = *model.graph;
  if (inputs.size() != g.inputs().size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model has ", g.inputs().size(), " inputs, got ", inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int64_t batch = inputs[i].shape.empty() ? 0 : inputs[i].shape[0];
    Dims want = WithBatch(batch, g.input_dims(i));
    if (NumElements(want) != inputs[i].size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input ", i, " ", DimsToString(inputs[i].shape), " does not fit ", DimsToString(want)));
    }
    inputs[i].shape = want;
  }
  auto exec = CreateExecutor(model.graph, kind, /*onednn_threads=*/1);
  if (!exec.ok()) return exec.status();
  auto ctx = (*exec)->NewContext();
  Tensor out;
  if (auto s = (*exec)->Run(*ctx, inputs, out); !s.ok()) return s;
  return out;
}

Tensor FirstSamples(const Tensor& t, int64_t n) {
  Dims dims = t.shape;
  const int64_t per = t.size() / dims[0];
  dims[0] = n;
  return Tensor(dims, std::vector<float>(t.data.begin(), t.data.begin() + n * per));
}

}  // namespace ganserve
