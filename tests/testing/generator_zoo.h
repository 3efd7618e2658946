// Generator graphs built in code with seeded random weights, shared by the
// oneDNN tests and the engine benchmark: the tutorial's two 10x10 models,
// MNIST DCGAN, DCGAN-64 and a 128x128 UpSampling2D+Conv2D generator.
#ifndef GANSERVE_TESTS_TESTING_GENERATOR_ZOO_H_
#define GANSERVE_TESTS_TESTING_GENERATOR_ZOO_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph.h"
#include "engine/graph_flops.h"
#include "engine/ops/batch_norm.h"  // GraphFlopsPerSample, for the zoo's benchmarks

namespace ganserve {

// Uniform values in [lo, hi) from a fixed seed.
Tensor RandomTensor(Dims dims, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f);

absl::StatusOr<Graph> TutorialGenerator(bool transpose, uint32_t seed);
absl::StatusOr<Graph> MnistDcgan(uint32_t seed);
absl::StatusOr<Graph> Dcgan64(uint32_t seed);
absl::StatusOr<Graph> UpsamplingGenerator128(uint32_t seed);

// Inference BatchNorm on the last axis with statistics and an affine part a
// trained layer might have.
BatchNormOp RandomBatchNorm(int64_t c, std::mt19937& rng);

struct ZooModel {
  std::string name;
  absl::StatusOr<Graph> (*make)(uint32_t seed);
};
std::vector<ZooModel> GeneratorZoo();

}  // namespace ganserve

#endif  // GANSERVE_TESTS_TESTING_GENERATOR_ZOO_H_
