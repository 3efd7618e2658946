// Shared by the Keras loader tests: run a loaded model with an executor on
// .npy inputs and compare with an expected .npy.
#ifndef GANSERVE_TESTS_ENGINE_LOADERS_KERAS_KERAS_TEST_UTIL_H_
#define GANSERVE_TESTS_ENGINE_LOADERS_KERAS_KERAS_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/generator_factory.h"
#include "engine/loaders/loaded_model.h"
#include "engine/tensor.h"
#include "tests/testing/source_dir.h"

namespace ganserve {

// Reads input0*.npy, input1*.npy, ... and expected.npy from `dir`, runs the
// model with `executor` and returns ||out - expected|| / ||expected||.
absl::StatusOr<double> RelativeErrorOnSavedInputs(const LoadedModel& model, const std::string& dir,
                                                  ExecutorKind executor = ExecutorKind::kReference);

// The reference executor's output for `inputs`.
absl::StatusOr<Tensor> RunReference(const LoadedModel& model, std::vector<Tensor> inputs);

}  // namespace ganserve

#endif  // GANSERVE_TESTS_ENGINE_LOADERS_KERAS_KERAS_TEST_UTIL_H_
