#include "engine/latent_sampler.h"

#include <algorithm>
#include <cmath>

namespace ganserve {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256** (Blackman and Vigna, 2018).
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    for (uint64_t& word : s_) word = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = RotateLeft(s_[3], 45);
    return result;
  }
  // Uniform on (0, 1): 53 random bits, offset by half a step so log() is finite.
  double NextOpenUnit() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  uint64_t s_[4];
};

}  // namespace

void SampleLatent(const SamplingSpec& spec, uint64_t index, absl::Span<float> out) {
  uint64_t mix = spec.seed;
  const uint64_t stream_seed = SplitMix64(mix) ^ (index * 0xD1B54A32D192ED03ULL);
  Xoshiro256 rng(stream_seed);
  if (spec.distribution == Distribution::kUniform) {
    for (float& v : out) v = static_cast<float>(2.0 * rng.NextOpenUnit() - 1.0);
    return;
  }
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double limit =
      spec.truncation > 0.0f ? std::max(spec.truncation, kMinTruncation) : INFINITY;
  size_t i = 0;
  while (i < out.size()) {
    // Box–Muller: two independent standard normals per pair of uniforms.
    const double radius = std::sqrt(-2.0 * std::log(rng.NextOpenUnit()));
    const double angle = kTwoPi * rng.NextOpenUnit();
    for (double z : {radius * std::cos(angle), radius * std::sin(angle)}) {
      if (i < out.size() && std::fabs(z) <= limit) out[i++] = static_cast<float>(z);
    }
  }
}

std::vector<float> SampleLatents(const SamplingSpec& spec, uint64_t count, int64_t size,
                                 uint64_t first_index) {
  std::vector<float> latents(count * size);
  for (uint64_t i = 0; i < count; ++i) {
    SampleLatent(spec, first_index + i, absl::MakeSpan(latents).subspan(i * size, size));
  }
  return latents;
}

}  // namespace ganserve
