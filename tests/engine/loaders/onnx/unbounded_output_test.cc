// Models whose file fixes neither the value range (last layer LeakyReLU or
// linear) nor the image shape (a flat [N, 12288] output) are served without
// a model.json: the range calibrated at load, the shape inferred in the
// producer's layout, and the images equal to the oracle's / onnxruntime's.
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/generator_factory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/npy_test_util.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

std::string Fixture(const std::string& relative) {
  return SourceDir() + "/tests/fixtures/" + relative;
}

struct Case {
  const char* model;
  const char* inputs;    // latents the expected images were made from
  const char* expected;  // [N, H, W, C]
  float min, max;
  const char* shape_source;
  Dims image;  // H, W, C
};

class UnboundedOutput : public ::testing::TestWithParam<std::tuple<Case, ExecutorKind>> {};

TEST_P(UnboundedOutput, IsServedWithACalibratedRangeAndTheOraclesImages) {
  const auto& [c, executor] = GetParam();
  GeneratorLoadOptions options;
  options.executor = executor;
  auto g = LoadGenerator(Fixture(c.model), "", options);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->range_source(), "calibrated");
  EXPECT_EQ((*g)->value_min(), c.min);
  EXPECT_EQ((*g)->value_max(), c.max);
  EXPECT_EQ((*g)->shape_source(), c.shape_source);
  EXPECT_EQ((Dims{(*g)->height(), (*g)->width(), (*g)->channels()}), c.image);

  auto latents = ReadNpy(Fixture(c.inputs));
  auto expected = ReadNpy(Fixture(c.expected));
  ASSERT_TRUE(latents.ok() && expected.ok());
  Tensor images;
  auto context = (*g)->NewContext();
  ASSERT_TRUE((*g)->Run(*context, latents->data, {}, images).ok());
  EXPECT_EQ(images.shape, expected->shape);
  EXPECT_LT(RelativeError(images, *expected), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, UnboundedOutput,
    ::testing::Combine(
        ::testing::Values(Case{"keras/tf28_dcgan_leaky_last.h5",
                               "keras/tf28_dcgan_leaky_last.h5.expected/input0_latent.npy",
                               "keras/tf28_dcgan_leaky_last.h5.expected/expected.npy",
                               -1.0f,
                               1.0f,
                               "model",
                               {8, 8, 3}},
                          Case{"keras/tf28_dcgan_linear_last.h5",
                               "keras/tf28_dcgan_linear_last.h5.expected/input0_latent.npy",
                               "keras/tf28_dcgan_linear_last.h5.expected/expected.npy",
                               0.0f,
                               1.0f,
                               "model",
                               {8, 8, 3}}),
        ::testing::Values(ExecutorKind::kReference, ExecutorKind::kOneDnn)));

TEST(UnboundedOutput, FlatOnnxOutputIsASquareChannelsFirstImage) {
  GeneratorLoadOptions options;
  auto g = LoadGenerator(Fixture("onnx/flat_mlp_op13.onnx"), "", options);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->shape_source(), "inferred");
  EXPECT_EQ((*g)->range_source(), "activation");  // its Tanh
  EXPECT_EQ((Dims{(*g)->height(), (*g)->width(), (*g)->channels()}), (Dims{64, 64, 3}));
  auto latents = ReadNpy(Fixture("onnx/flat_mlp_op13.in0.npy"));
  auto expected = ReadNpy(Fixture("onnx/flat_mlp_op13.out.npy"));
  ASSERT_TRUE(latents.ok() && expected.ok());
  Tensor images;
  auto context = (*g)->NewContext();
  ASSERT_TRUE((*g)->Run(*context, latents->data, {}, images).ok());
  // Pixel (y, x, k) of sample b is value b*12288 + k*4096 + y*64 + x of the
  // PyTorch tensor, as view(N, 3, 64, 64) would read it.
  double worst = 0;
  for (int64_t b = 0; b < latents->shape[0]; ++b) {
    for (int64_t y = 0; y < 64; ++y) {
      for (int64_t x = 0; x < 64; ++x) {
        for (int64_t k = 0; k < 3; ++k) {
          const float got = images.data[((b * 64 + y) * 64 + x) * 3 + k];
          const float want = expected->data[b * 12288 + k * 4096 + y * 64 + x];
          worst = std::max(worst, static_cast<double>(std::abs(got - want)));
        }
      }
    }
  }
  EXPECT_LT(worst, 1e-5);
}

}  // namespace
}  // namespace ganserve
