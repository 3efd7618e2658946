// Shared by the ONNX loader tests: run a loaded model on inputs shaped as
// the file declares them (NCHW, labels as [N]) with either executor.
#ifndef GANSERVE_TESTS_ENGINE_LOADERS_ONNX_ONNX_TEST_UTIL_H_
#define GANSERVE_TESTS_ENGINE_LOADERS_ONNX_ONNX_TEST_UTIL_H_

#include <vector>

#include "absl/status/statusor.h"
#include "engine/generator_factory.h"
#include "engine/loaders/loaded_model.h"
#include "engine/tensor.h"

namespace ganserve {

// Reshapes each input to [N, graph input dims...] (same element count) and
// runs the given executor. The output keeps the model's layout.
absl::StatusOr<Tensor> RunLoaded(const LoadedModel& model, std::vector<Tensor> inputs,
                                 ExecutorKind kind = ExecutorKind::kReference);

// The first `n` samples of a batched tensor.
Tensor FirstSamples(const Tensor& t, int64_t n);

}  // namespace ganserve

#endif  // GANSERVE_TESTS_ENGINE_LOADERS_ONNX_ONNX_TEST_UTIL_H_
