// CompareAsImages and GraphFlopsPerSample on worked examples.
#include "engine/image_error.h"

#include <cmath>
#include <limits>

#include "engine/graph_builder.h"
#include "engine/graph_flops.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/dense.h"
#include "engine/ops/reshape.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

TEST(ImageError, OneLevelOffInOneOfFourValues) {
  // [-1, 1] -> 0..255: -1 is 0, 1 is 255; 2/255 above -1 is level 1.
  const std::vector<float> want = {-1, 1, -1, 1};
  const std::vector<float> got = {-1 + 2.0f / 255, 1, -1, 1};
  const ImageError e = CompareAsImages(got, want, -1, 1);
  EXPECT_EQ(e.max_level_difference, 1);
  EXPECT_NEAR(e.psnr_db, 10 * std::log10(255.0 * 255.0 * 4), 1e-9);  // MSE 1/4
}

TEST(ImageError, EqualLevelsHaveInfinitePsnr) {
  const std::vector<float> v = {0.1f, -0.3f};
  const std::vector<float> w = {0.1001f, -0.3f};  // the same levels
  const ImageError e = CompareAsImages(v, w, -1, 1);
  EXPECT_EQ(e.max_level_difference, 0);
  EXPECT_EQ(e.psnr_db, std::numeric_limits<double>::infinity());
}

TEST(GraphFlops, DensePlusConvCountTwoPerMultiplyAdd) {
  GraphBuilder b;
  b.Input("z", {6});
  b.Add("d", DenseOp(Tensor({6, 8 * 8 * 5}), Tensor({320}), Activation::Linear()), {0});
  b.Add("r", ReshapeOp({8, 8, 5}), {b.last()});
  ConvAttributes same;
  same.padding = Padding::kSame;
  b.Add("c", Conv2DOp(Tensor({3, 3, 5, 7}), Tensor({7}), same, Activation::Linear()), {b.last()});
  const auto graph = b.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_DOUBLE_EQ(GraphFlopsPerSample(*graph), 2.0 * 6 * 320 + 2.0 * 9 * 5 * 7 * 64);
}

}  // namespace
}  // namespace ganserve
