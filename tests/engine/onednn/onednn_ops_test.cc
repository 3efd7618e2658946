// oneDNN executor vs reference: activations (fused and standalone),
// UpSampling2D, and the ops that run on plain layouts (InstanceNormalization among them).
#include <random>

#include "engine/graph_builder.h"
#include "engine/onednn/lowering.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/concatenate.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/dense.h"
#include "engine/ops/elementwise.h"
#include "engine/ops/embedding.h"
#include "engine/ops/identity.h"
#include "engine/ops/instance_norm.h"
#include "engine/ops/padding2d.h"
#include "engine/ops/reshape.h"
#include "engine/ops/transpose.h"
#include "engine/ops/upsampling2d.h"
#include "tests/engine/onednn/onednn_test_util.h"

namespace ganserve {
namespace {

using K = Activation::Kind;

std::vector<Activation> AllActivations() {
  std::vector<Activation> all;
  for (K k : {K::kLinear, K::kRelu, K::kSelu, K::kTanh, K::kSigmoid, K::kSoftplus, K::kSwish,
              K::kGelu, K::kGeluTanh}) {
    all.push_back(Activation::Of(k));
  }
  all.push_back(Activation::Of(K::kLeakyRelu, 0.3f));
  all.push_back(Activation::Of(K::kElu, 0.7f));
  Activation relu6 = Activation::Of(K::kRelu);
  relu6.max_value = 0.8f;
  all.push_back(relu6);
  Activation capped_leaky = Activation::Of(K::kRelu, 0.1f);
  capped_leaky.max_value = 1.2f;
  all.push_back(capped_leaky);
  Activation thresholded = Activation::Of(K::kRelu, 0.2f);
  thresholded.threshold = 0.3f;
  all.push_back(thresholded);
  return all;
}

TEST(OneDnnActivation, EveryKindFusedIntoConvAndDenseAndStandalone) {
  for (const Activation& act : AllActivations()) {
    SCOPED_TRACE(act.ToString());
    std::mt19937 rng(21);
    ConvAttributes same;
    same.padding = Padding::kSame;
    GraphBuilder b;
    b.Input("x", {4, 5, 3});
    b.Add("a0", ActivationOp(act), {b.last()});  // standalone on the plain input
    b.Add("c", Conv2DOp(RandomTensor({3, 3, 3, 6}, rng), RandomTensor({6}, rng), same, act),
          {b.last()});
    b.Add("a1", ActivationOp(act), {b.last()});  // absorbed after the conv's own
    b.Add("up", UpSampling2DOp(2, 2, Interpolation::kNearest), {b.last()});
    b.Add("a2", ActivationOp(act), {b.last()});  // standalone on a blocked layout
    b.Add("f", FlattenOp(), {b.last()});
    b.Add("d",
          DenseOp(RandomTensor({8 * 10 * 6, 5}, rng, -0.1f, 0.1f), RandomTensor({5}, rng), act),
          {b.last()});
    const auto graph = b.Build();
    for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
  }
}

TEST(OneDnnUpSampling, NearestAndBilinearBothConventionsWithSizeTwoByThree) {
  for (Interpolation interp : {Interpolation::kNearest, Interpolation::kBilinear}) {
    for (CoordinateMode mode :
         {CoordinateMode::kHalfPixel, CoordinateMode::kAsymmetric, CoordinateMode::kAlignCorners}) {
      std::mt19937 rng(31);
      GraphBuilder b;
      b.Input("x", {5, 4, 3});
      b.Add("c",
            Conv2DOp(RandomTensor({1, 1, 3, 9}, rng), std::nullopt, ConvAttributes{},
                     Activation::Linear()),
            {b.last()});
      b.Add("up", UpSampling2DOp(2, 3, interp, mode), {b.last()});
      b.Add("up2", UpSampling2DOp(3, 2, interp, mode), {b.last()});
      const auto graph = b.Build();
      for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
    }
  }
}

TEST(OneDnnPlainOps, EmbeddingConcatenateAndMultiplyLikeAConditionalGenerator) {
  std::mt19937 rng(41);
  GraphBuilder b;
  const int z = b.Input("z", {12});
  const int label = b.Input("label", {1});
  const int emb = b.Add("emb", EmbeddingOp(RandomTensor({10, 12}, rng)), {label});
  const int flat = b.Add("flat", FlattenOp(), {emb});
  const int mul = b.Add("mul", ElementwiseOp(ElementwiseOp::Kind::kMultiply), {z, flat});
  const int add = b.Add("add", ElementwiseOp(ElementwiseOp::Kind::kAdd), {mul, z, flat});
  const int cat = b.Add("cat", ConcatenateOp(-1), {add, z});
  b.Add("d", DenseOp(RandomTensor({24, 2 * 2 * 8}, rng), std::nullopt, Activation::Linear()),
        {cat});
  b.Add("r", ReshapeOp({2, 2, 8}), {b.last()});
  const int c1 = b.Add("c1",
                       Conv2DOp(RandomTensor({1, 1, 8, 4}, rng), std::nullopt, ConvAttributes{},
                                Activation::Linear()),
                       {b.last()});
  const int c2 = b.Add("c2",
                       Conv2DOp(RandomTensor({1, 1, 8, 3}, rng), std::nullopt, ConvAttributes{},
                                Activation::Linear()),
                       {b.last() - 1});
  b.Add("cat2", ConcatenateOp(-1), {c1, c2});  // two blocked inputs
  auto graph = b.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  for (int64_t batch : {1, 37}) {
    std::vector<Tensor> inputs = RandomInputs(*graph, batch, 5);
    for (int64_t i = 0; i < batch; ++i) inputs[1].data[i] = static_cast<float>(i % 10);
    ExpectMatchesReference(*graph, inputs);
  }
}

// A same-padded linear conv without bias: its output is in a blocked layout.
Conv2DOp SameConv(int64_t kernel, int64_t in_channels, int64_t out_channels, std::mt19937& rng) {
  ConvAttributes same;
  same.padding = Padding::kSame;
  return Conv2DOp(RandomTensor({kernel, kernel, in_channels, out_channels}, rng), std::nullopt,
                  same, Activation::Linear());
}

TEST(OneDnnPlainOps, PaddingCroppingTransposeReshapeAndIdentityBetweenConvs) {
  std::mt19937 rng(51);
  GraphBuilder b;
  b.Input("x", {6, 7, 3});
  b.Add("c0", SameConv(3, 3, 5, rng), {b.last()});
  b.Add("pad", Padding2DOp::ZeroPadding({1, 2, 0, 3}), {b.last()});
  b.Add("drop", IdentityOp(), {b.last()}, "Dropout");
  b.Add("c1", SameConv(3, 5, 4, rng), {b.last()});
  b.Add("crop", Padding2DOp::Cropping({2, 1, 1, 2}), {b.last()});
  b.Add("perm", TransposeOp({1, 0, 2}), {b.last()});
  b.Add("c2", SameConv(2, 4, 6, rng), {b.last()});
  b.Add("reshape", ReshapeOp({-1, 6}), {b.last()});
  const auto graph = b.Build();
  for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
}

// Transpose as a reorder: every permutation of an image read from a conv's
// blocked output and from the input, as the graph output (the ONNX loader's
// NCHW) and before a reference kernel; ranks 1, 2 and 4 too.
TEST(OneDnnTranspose, EveryImagePermutationAndOtherRanks) {
  std::mt19937 rng(53);
  for (const std::vector<int>& perm : std::vector<std::vector<int>>{
           {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}) {
    SCOPED_TRACE(::testing::Message() << "perm " << perm[0] << perm[1] << perm[2]);
    GraphBuilder conv_first;
    conv_first.Input("x", {5, 7, 3});
    conv_first.Add("c0", SameConv(3, 3, 17, rng), {conv_first.last()});
    conv_first.Add("perm", TransposeOp(perm), {conv_first.last()});
    auto graph = conv_first.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    EXPECT_EQ(LowerGraph(*graph)[2].kind, LoweredKind::kTranspose);
    for (int64_t batch : {1, 3}) ExpectMatchesReference(graph, batch);
    GraphBuilder input_first;
    input_first.Input("x", {4, 6, 5});
    input_first.Add("perm", TransposeOp(perm), {input_first.last()});
    input_first.Add("pad", Padding2DOp::ZeroPadding({1, 0, 2, 1}), {input_first.last()});
    const auto from_input = input_first.Build();
    for (int64_t batch : {1, 2}) ExpectMatchesReference(from_input, batch);
  }
  for (const auto& [shape, perm] : std::vector<std::pair<Dims, std::vector<int>>>{
           {{9}, {0}}, {{4, 6}, {1, 0}}, {{2, 3, 4, 5}, {3, 1, 0, 2}}}) {
    GraphBuilder b;
    b.Input("x", shape);
    b.Add("perm", TransposeOp(perm), {b.last()});
    const auto ranked = b.Build();
    for (int64_t batch : {1, 4}) ExpectMatchesReference(ranked, batch);
  }
}

// Both layouts, after a conv (a blocked layout) and on a rank-2 sample.
TEST(OneDnnInstanceNorm, ChannelsFirstAndLastWithScaleAndBias) {
  std::mt19937 rng(61);
  GraphBuilder b;
  b.Input("x", {6, 7, 3});
  b.Add("c0", SameConv(3, 3, 5, rng), {b.last()});
  b.Add("first", InstanceNormOp(false, 1e-5f, RandomTensor({6}, rng), RandomTensor({6}, rng)),
        {b.last()});
  b.Add("last", InstanceNormOp(true, 1e-3f, RandomTensor({5}, rng), RandomTensor({5}, rng)),
        {b.last()});
  b.Add("flat", ReshapeOp({3, -1}), {b.last()});
  b.Add("rows", InstanceNormOp(false, 0.5f, RandomTensor({3}, rng), RandomTensor({3}, rng)),
        {b.last()});
  const auto graph = b.Build();
  for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
}

}  // namespace
}  // namespace ganserve
