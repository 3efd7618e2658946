// Slerp: the interpolation ganctl render walks between two latents.
#include "engine/latent_interpolation.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::ElementsAre;

TEST(Slerp, EndsAreExactAndTheMiddleKeepsTheNorm) {
  const std::vector<float> a = {3, 0, 0}, b = {0, 3, 0};
  EXPECT_EQ(Slerp(a, b, 0), a);
  EXPECT_THAT(Slerp(a, b, 1), ElementsAre(::testing::FloatNear(0, 1e-6), 3, 0));
  const std::vector<float> mid = Slerp(a, b, 0.5);
  EXPECT_NEAR(std::hypot(mid[0], mid[1]), 3.0, 1e-5);  // a straight line would give 2.12
  EXPECT_NEAR(mid[0], 3 * std::cos(M_PI / 4), 1e-5);
  EXPECT_EQ(SlerpPath(a, b, 4).size(), 12u);
  EXPECT_EQ(Slerp(a, a, 0.3), a);  // parallel: no division by sin(0)
}

}  // namespace
}  // namespace ganserve
