// Tiny generators built in code for the server tests and the fuzz
// harnesses: a conditional one (Embedding + Dense + Reshape + Concatenate +
// Conv2DTranspose + tanh) and an unconditional one, with weights drawn from
// a seed.
#ifndef GANSERVE_TESTS_TESTING_TEST_MODELS_H_
#define GANSERVE_TESTS_TESTING_TEST_MODELS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/loaded_generator.h"

namespace ganserve::testing {

constexpr int64_t kLatentSize = 4;
constexpr int64_t kClasses = 10;

// Output 4×4×1 in [-1, 1]. Inputs: latent (4,), label (1,).
LoadedModel ConditionalModel(uint32_t weight_seed);
// Output 4×4×3 (sigmoid). Input: latent (4,).
LoadedModel UnconditionalModel(uint32_t weight_seed);

// Like UnconditionalModel in shape, with `hidden_layers` tanh Dense layers of
// kSlowWidth units in between, so each image costs hidden_layers × kSlowWidth²
// multiply-adds: for tests that need a call to be still computing.
constexpr int64_t kSlowWidth = 512;
LoadedModel SlowModel(uint32_t weight_seed, int hidden_layers);

std::unique_ptr<LoadedGenerator> MakeGenerator(LoadedModel model, ModelOptions options = {});

// A loader for test model files: the file holds "conditional <seed>" or
// "unconditional <seed>".
absl::StatusOr<LoadedModel> LoadTestModelFile(const std::string& path);

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_TESTING_TEST_MODELS_H_
