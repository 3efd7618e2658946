// The worked examples of the tutorial in shared/seed ("How to use
// UpSampling2D and Conv2DTranspose layers in GANs"), with its printed numbers.
#include <vector>

#include "engine/graph_builder.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/reshape.h"
#include "engine/ops/upsampling2d.h"
#include "engine/reference/reference_executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ganserve {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// Runs a one-input graph on one sample with the reference executor.
std::vector<float> RunOne(Graph graph, std::vector<float> sample) {
  auto shared = std::make_shared<const Graph>(std::move(graph));
  ReferenceExecutor exec(shared);
  auto ctx = exec.NewContext();
  Tensor in(WithBatch(1, shared->input_dims(0)), std::move(sample));
  std::vector<Tensor> inputs{in};
  Tensor out;
  EXPECT_TRUE(exec.Run(*ctx, inputs, out).ok());
  return out.data;
}

Tensor Filled(Dims dims, float value) {
  Tensor t(std::move(dims));
  std::fill(t.data.begin(), t.data.end(), value);
  return t;
}

TEST(Tutorial, UpSampling2DDefaultDoublesRowsAndColumns) {
  GraphBuilder b;
  b.Input("input", {2, 2, 1});
  b.Add("up_sampling2d_1", UpSampling2DOp(2, 2, Interpolation::kNearest), {0});
  auto g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_dims(), (Dims{4, 4, 1}));
  EXPECT_EQ(g->Params().total(), 0);
  EXPECT_THAT(RunOne(*std::move(g), {1, 2, 3, 4}),
              ElementsAreArray<float>({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

TEST(Tutorial, UpSampling2DSizeTwoByThreeGivesFourBySix) {
  GraphBuilder b;
  b.Input("input", {2, 2, 1});
  b.Add("up", UpSampling2DOp(2, 3, Interpolation::kNearest), {0});
  auto g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_dims(), (Dims{4, 6, 1}));
  EXPECT_THAT(RunOne(*std::move(g), {1, 2, 3, 4}),
              ElementsAreArray<float>({1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                       3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
}

ConvAttributes Strides(int64_t h, int64_t w, Padding p) {
  ConvAttributes a;
  a.stride_h = h;
  a.stride_w = w;
  a.padding = p;
  return a;
}

TEST(Tutorial, Conv2DTransposeOneByOneStrideTwoInsertsZeros) {
  GraphBuilder b;
  b.Input("input", {2, 2, 1});
  b.Add("conv2d_transpose_1",
        Conv2DTransposeOp(Filled({1, 1, 1, 1}, 1.0f), Filled({1}, 0.0f),
                          Strides(2, 2, Padding::kValid), Activation::Linear()),
        {0});
  auto g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_dims(), (Dims{4, 4, 1}));
  EXPECT_EQ(g->Params().total(), 2);
  EXPECT_THAT(RunOne(*std::move(g), {1, 2, 3, 4}),
              ElementsAreArray<float>({1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0}));
}

TEST(Tutorial, Conv2DTransposeTwoByTwoStrideTwoTilesTheKernel) {
  // The reader's comment: kernel [[a,b],[c,d]] tiles as
  // [[a,b,2a,2b],[c,d,2c,2d],[3a,3b,4a,4b],[3c,3d,4c,4d]].
  const float a = 0.5f, bb = -1.0f, c = 2.0f, d = 0.25f;
  Tensor kernel({2, 2, 1, 1}, {a, bb, c, d});
  GraphBuilder b;
  b.Input("input", {2, 2, 1});
  b.Add("t", Conv2DTransposeOp(kernel, Filled({1}, 0.0f), Strides(2, 2, Padding::kValid),
                               Activation::Linear()),
        {0});
  auto g = b.Build();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(RunOne(*std::move(g), {1, 2, 3, 4}),
              ElementsAreArray<float>({a, bb, 2 * a, 2 * bb, c, d, 2 * c, 2 * d,
                                       3 * a, 3 * bb, 4 * a, 4 * bb, 3 * c, 3 * d, 4 * c, 4 * d}));
}

// The tutorial's two 10x10 generators: Dense(128*5*5, input_dim=100),
// Reshape((5,5,128)), then UpSampling2D + Conv2D(1,(3,3),'same') or
// Conv2DTranspose(1,(3,3),strides=(2,2),'same').
absl::StatusOr<Graph> TutorialGenerator(bool transpose) {
  GraphBuilder b;
  b.Input("input", {100});
  b.Add("dense_1", DenseOp(Filled({100, 3200}, 0.01f), Filled({3200}, 0.0f), Activation::Linear()),
        {0});
  b.Add("reshape_1", ReshapeOp({5, 5, 128}), {1});
  if (transpose) {
    b.Add("conv2d_transpose_1",
          Conv2DTransposeOp(Filled({3, 3, 1, 128}, 0.01f), Filled({1}, 0.0f),
                            Strides(2, 2, Padding::kSame), Activation::Linear()),
          {2});
  } else {
    b.Add("up_sampling2d_1", UpSampling2DOp(2, 2, Interpolation::kNearest), {2});
    b.Add("conv2d_1", Conv2DOp(Filled({3, 3, 128, 1}, 0.01f), Filled({1}, 0.0f),
                               Strides(1, 1, Padding::kSame), Activation::Linear()),
          {3});
  }
  return b.Build();
}

TEST(Tutorial, UpSamplingGeneratorSummaryMatchesKeras) {
  auto g = TutorialGenerator(false);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_dims(), (Dims{10, 10, 1}));
  EXPECT_EQ(g->node(1).op->Params().total(), 323200);
  EXPECT_EQ(g->node(4).op->Params().total(), 1153);
  const std::string summary = g->Summary("sequential_1", /*show_inputs=*/false);
  EXPECT_THAT(summary, HasSubstr("dense_1 (Dense)"));
  EXPECT_THAT(summary, HasSubstr("(None, 3200)"));
  EXPECT_THAT(summary, HasSubstr("(None, 5, 5, 128)"));
  EXPECT_THAT(summary, HasSubstr("(None, 10, 10, 128)"));
  EXPECT_THAT(summary, HasSubstr("(None, 10, 10, 1)"));
  EXPECT_THAT(summary, HasSubstr("323200"));
  EXPECT_THAT(summary, HasSubstr("1153"));
  EXPECT_THAT(summary, HasSubstr("Total params: 324,353"));
  EXPECT_THAT(summary, HasSubstr("Trainable params: 324,353"));
  EXPECT_THAT(summary, HasSubstr("Non-trainable params: 0"));
}

TEST(Tutorial, TransposeGeneratorSummaryMatchesKeras) {
  auto g = TutorialGenerator(true);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->output_dims(), (Dims{10, 10, 1}));
  EXPECT_EQ(g->node(3).op->Params().total(), 1153);
  const std::string summary = g->Summary("sequential_1", false);
  EXPECT_THAT(summary, HasSubstr("conv2d_transpose_1 (Conv2DTranspose)"));
  EXPECT_THAT(summary, HasSubstr("Total params: 324,353"));
}

TEST(Tutorial, Conv2DTransposeThreeByThreeSameOnFiveGivesTen) {
  // Without 'same' the 3x3 stride-2 kernel gives 11x11, as the tutorial says.
  for (auto [padding, want] : {std::pair{Padding::kSame, 10}, std::pair{Padding::kValid, 11}}) {
    GraphBuilder b;
    b.Input("input", {5, 5, 128});
    b.Add("t", Conv2DTransposeOp(Filled({3, 3, 1, 128}, 1.0f), Filled({1}, 0.0f),
                                 Strides(2, 2, padding), Activation::Linear()),
          {0});
    auto g = b.Build();
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ(g->output_dims(), (Dims{want, want, 1}));
  }
}

}  // namespace
}  // namespace ganserve
