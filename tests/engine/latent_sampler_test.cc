#include "engine/latent_sampler.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace ganserve {
namespace {

struct Expected {
  uint64_t seed;
  uint64_t index;
  bool uniform;
  float truncation;
  std::vector<float> first_values;
};

// Values from an independent Python implementation of the documented generator.
const std::vector<Expected> kExpected = {
#include "tests/fixtures/latent_sampler_expected.inc"
};

TEST(LatentSampler, MatchesTheIndependentPythonImplementation) {
  for (const Expected& e : kExpected) {
    SamplingSpec spec{e.seed, e.uniform ? Distribution::kUniform : Distribution::kNormal,
                      e.truncation};
    std::vector<float> got(e.first_values.size());
    SampleLatent(spec, e.index, absl::MakeSpan(got));
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_FLOAT_EQ(got[i], e.first_values[i]) << "seed " << e.seed << " index " << e.index;
    }
  }
}

TEST(LatentSampler, ImageIDoesNotDependOnTheCount) {
  SamplingSpec spec{99};
  std::vector<float> many = SampleLatents(spec, 5, 16);
  std::vector<float> one(16);
  SampleLatent(spec, 3, absl::MakeSpan(one));
  EXPECT_EQ(std::vector<float>(many.begin() + 48, many.begin() + 64), one);
}

TEST(LatentSampler, NormalHasUnitMomentsAndRespectsTruncation) {
  std::vector<float> v = SampleLatents({1}, 1000, 100);
  double mean = 0, sq = 0;
  for (float x : v) mean += x, sq += double{x} * x;
  mean /= v.size();
  const double var = sq / v.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.01);  // 5 sigma for 1e5 samples is ~0.016
  EXPECT_NEAR(var, 1.0, 0.02);
  for (float x : SampleLatents({1, Distribution::kNormal, 0.7f}, 100, 100)) {
    EXPECT_LE(std::fabs(x), 0.7f);
  }
  for (float x : SampleLatents({1, Distribution::kUniform}, 100, 100)) {
    EXPECT_GE(x, -1.0f);
    EXPECT_LT(x, 1.0f);
  }
}

TEST(LatentSampler, TruncationBelowTheMinimumActsAsTheMinimumAndFinishes) {
  // At 1e-30 rejection sampling alone would never finish.
  const std::vector<float> tiny = SampleLatents({1, Distribution::kNormal, 1e-30f}, 10, 100);
  for (float x : tiny) EXPECT_LE(std::fabs(x), kMinTruncation);
  EXPECT_EQ(tiny, SampleLatents({1, Distribution::kNormal, kMinTruncation}, 10, 100));
}

}  // namespace
}  // namespace ganserve
