// Reproducible latent vectors from a seed: the same (seed, index) gives the
// same floats on every machine and compiler. Uses splitmix64 to derive one
// xoshiro256** stream per image and Box–Muller written out, never
// std::normal_distribution (whose output differs between standard libraries).
#ifndef GANSERVE_ENGINE_LATENT_SAMPLER_H_
#define GANSERVE_ENGINE_LATENT_SAMPLER_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace ganserve {

enum class Distribution { kNormal, kUniform };

// The smallest truncation honoured. Rejection keeps a standard normal value
// with probability erf(t/sqrt(2)) ~ 0.8 t, so t = 0.01 costs about 125 draws
// per value and smaller t grows without bound (1e-30 would never finish).
inline constexpr float kMinTruncation = 0.01f;

struct SamplingSpec {
  uint64_t seed = 0;
  Distribution distribution = Distribution::kNormal;
  // > 0: normal values with |z| > truncation are redrawn (truncation trick).
  // Values in (0, kMinTruncation) act as kMinTruncation, so no spec can make
  // sampling run unbounded. Ignored for kUniform, already within [-1, 1).
  float truncation = 0.0f;
};

// Fills `out` with latent number `index` of the stream for `spec`. Image i
// of a request for seed s is SampleLatent(s, i) whatever the count, so a
// client can regenerate one image of a batch alone.
void SampleLatent(const SamplingSpec& spec, uint64_t index, absl::Span<float> out);

// `count` latents of `size` values, row-major: numbers first_index, first_index + 1, ...
std::vector<float> SampleLatents(const SamplingSpec& spec, uint64_t count, int64_t size,
                                 uint64_t first_index = 0);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LATENT_SAMPLER_H_
