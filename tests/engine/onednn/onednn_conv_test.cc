// oneDNN executor vs reference: Conv2D, Conv2DTranspose (every geometry the
// TensorFlow rules produce, including negative end padding), Dense, BatchNorm.
#include <random>

#include "engine/graph_builder.h"
#include "engine/onednn/deconv_as_conv.h"
#include "engine/onednn/deconv_as_flipped_conv.h"
#include "engine/onednn/deconv_as_gemm.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/dense.h"
#include "engine/ops/elementwise.h"
#include "engine/ops/reshape.h"
#include "tests/engine/onednn/onednn_test_util.h"

namespace ganserve {
namespace {

struct ConvCase {
  const char* name;
  int64_t kh, kw, sh, sw, dilation;
  Padding padding;
  int64_t out_pad = -1;                    // output_padding (transposed only)
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;  // explicit pads
};

ConvAttributes AttrsOf(const ConvCase& c) {
  ConvAttributes a;
  a.stride_h = c.sh;
  a.stride_w = c.sw;
  a.dilation_h = a.dilation_w = c.dilation;
  a.padding = c.padding;
  a.output_padding_h = a.output_padding_w = c.out_pad;
  a.pad_top = c.pt;
  a.pad_bottom = c.pb;
  a.pad_left = c.pl;
  a.pad_right = c.pr;
  return a;
}

// Random spatial size and channels per case, from a seed.
absl::StatusOr<Graph> OneConv(const ConvCase& c, bool transpose, uint32_t seed,
                              Activation act = Activation::Linear()) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> size(3, 9), chans(1, 12);
  const int64_t h = size(rng), w = size(rng), ic = chans(rng), oc = chans(rng);
  GraphBuilder b;
  b.Input("x", {h, w, ic});
  if (transpose) {
    b.Add("t",
          Conv2DTransposeOp(RandomTensor({c.kh, c.kw, oc, ic}, rng), RandomTensor({oc}, rng),
                            AttrsOf(c), act),
          {0});
  } else {
    b.Add(
        "c",
        Conv2DOp(RandomTensor({c.kh, c.kw, ic, oc}, rng), RandomTensor({oc}, rng), AttrsOf(c), act),
        {0});
  }
  return b.Build();
}

class TransposeGeometry : public ::testing::TestWithParam<ConvCase> {};

TEST_P(TransposeGeometry, MatchesReferenceAtBatchOneAndThirtySeven) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    for (int64_t batch : {1, 37}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " batch " << batch);
      ExpectMatchesReference(OneConv(GetParam(), true, seed), batch, seed);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TransposeGeometry,
    ::testing::Values(ConvCase{"k3s2same", 3, 3, 2, 2, 1, Padding::kSame},
                      ConvCase{"k3s2valid", 3, 3, 2, 2, 1, Padding::kValid},
                      ConvCase{"k5s2same", 5, 5, 2, 2, 1, Padding::kSame},
                      ConvCase{"k5s2valid", 5, 5, 2, 2, 1, Padding::kValid},
                      ConvCase{"k1s2valid", 1, 1, 2, 2, 1, Padding::kValid},
                      ConvCase{"k1s2same", 1, 1, 2, 2, 1, Padding::kSame},
                      ConvCase{"k2s3valid", 2, 2, 3, 3, 1, Padding::kValid},
                      ConvCase{"k2s3same", 2, 2, 3, 3, 1, Padding::kSame},
                      ConvCase{"k4s34same", 4, 4, 3, 4, 1, Padding::kSame},
                      ConvCase{"k3s1dil2same", 3, 3, 1, 1, 2, Padding::kSame},
                      ConvCase{"k3s2dil2valid", 3, 3, 2, 2, 2, Padding::kValid},
                      ConvCase{"k3s2outpad1same", 3, 3, 2, 2, 1, Padding::kSame, 1},
                      ConvCase{"k4s2outpad0valid", 4, 4, 2, 2, 1, Padding::kValid, 0},
                      ConvCase{"k3s3outpad2valid", 3, 3, 3, 3, 1, Padding::kValid, 2},
                      ConvCase{"k4s2explicit", 4, 3, 2, 2, 1, Padding::kExplicit, -1, 1, 2, 0, 1},
                      ConvCase{"k4s2explicit_outpad", 4, 4, 2, 2, 1, Padding::kExplicit, 1, 1, 1, 1,
                               1},
                      // Phase-convolution edges: k a multiple of s, k = s, k != s per
                      // axis, crops past the first phase row, stride 1 on one axis.
                      ConvCase{"k4s2same", 4, 4, 2, 2, 1, Padding::kSame},
                      ConvCase{"k4s2valid", 4, 4, 2, 2, 1, Padding::kValid},
                      ConvCase{"k2s2same", 2, 2, 2, 2, 1, Padding::kSame},
                      ConvCase{"k2s2valid", 2, 2, 2, 2, 1, Padding::kValid},
                      ConvCase{"k57s34valid", 5, 7, 3, 4, 1, Padding::kValid},
                      ConvCase{"k57s34same", 5, 7, 3, 4, 1, Padding::kSame},
                      ConvCase{"k57s34outpad2same", 5, 7, 3, 4, 1, Padding::kSame, 2},
                      ConvCase{"k3s12same", 3, 3, 1, 2, 1, Padding::kSame},
                      ConvCase{"k4s2bigcrop", 4, 4, 2, 2, 1, Padding::kExplicit, -1, 5, 0, 4, 1},
                      ConvCase{"k4s2endcrop", 4, 4, 2, 2, 1, Padding::kExplicit, -1, 0, 5, 1, 4}),
    [](const auto& info) { return std::string(info.param.name); });

class ConvGeometry : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvGeometry, MatchesReferenceAtBatchOneAndThirtySeven) {
  for (uint32_t seed : {1u, 2u}) {
    for (int64_t batch : {1, 37}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " batch " << batch);
      ExpectMatchesReference(OneConv(GetParam(), false, seed), batch, seed);
    }
  }
}

TEST(OneDnnDeconv, PhaseConvolutionWithActivationOneDnnCannotExpress) {
  Activation thresholded = Activation::Of(Activation::Kind::kRelu, 0.1f);
  thresholded.threshold = 0.2f;
  for (const ConvCase& c : {ConvCase{"k4s2same", 4, 4, 2, 2, 1, Padding::kSame},
                            ConvCase{"k3s2outpad1same", 3, 3, 2, 2, 1, Padding::kSame, 1}}) {
    SCOPED_TRACE(c.name);
    ExpectMatchesReference(OneConv(c, true, 4, thresholded), 3, 4);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConvGeometry,
    ::testing::Values(ConvCase{"k3s1same", 3, 3, 1, 1, 1, Padding::kSame},
                      ConvCase{"k3s2same", 3, 3, 2, 2, 1, Padding::kSame},
                      ConvCase{"k4s2same", 4, 4, 2, 2, 1, Padding::kSame},
                      ConvCase{"k3s2valid", 3, 3, 2, 2, 1, Padding::kValid},
                      ConvCase{"k3dil2same", 3, 3, 1, 1, 2, Padding::kSame},
                      ConvCase{"k2dil2s2valid", 2, 2, 2, 2, 2, Padding::kValid},
                      ConvCase{"k3s34same", 3, 3, 3, 4, 1, Padding::kSame},
                      ConvCase{"explicit", 3, 2, 1, 2, 1, Padding::kExplicit, -1, 2, 0, 1, 1}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(OneDnnDense, MatchesReferenceOnRankTwoAndRankThree) {
  for (const Dims& in : {Dims{17}, Dims{5, 9}}) {
    std::mt19937 rng(7);
    GraphBuilder b;
    b.Input("x", in);
    b.Add("d",
          DenseOp(RandomTensor({in.back(), 13}, rng), RandomTensor({13}, rng),
                  Activation::Of(Activation::Kind::kSigmoid)),
          {0});
    b.Add("d2", DenseOp(RandomTensor({13, 6}, rng), std::nullopt, Activation::Linear()), {1});
    const auto graph = b.Build();
    for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
  }
}

BatchNormOp RandomBn(int axis, int64_t c, std::mt19937& rng, bool affine = true) {
  BatchNormWeights w;
  if (affine) {
    w.gamma = RandomTensor({c}, rng, 0.5f, 1.5f);
    w.beta = RandomTensor({c}, rng);
  }
  w.moving_mean = RandomTensor({c}, rng);
  w.moving_variance = RandomTensor({c}, rng, 0.2f, 2.0f);
  return BatchNormOp(axis, 1e-3f, std::move(w));
}

// PyTorch DCGAN's first layer, nz x 1 x 1 -> 4 x 4: runs as a matrix product
// when the whole footprint is kept (valid, any stride, no crop), else as a
// deconvolution; BatchNorm and the activation fold into either.
TEST(OneDnnDeconv, OneByOneInputKeepingTheFootprintMatchesReference) {
  for (const ConvCase& c :
       {ConvCase{"k4s1valid", 4, 4, 1, 1, 1, Padding::kValid},
        ConvCase{"k4s2valid", 4, 4, 2, 2, 1, Padding::kValid},
        ConvCase{"k35s1valid", 3, 5, 1, 1, 1, Padding::kValid},
        ConvCase{"k4s1same", 4, 4, 1, 1, 1, Padding::kSame},
        ConvCase{"k3s2same", 3, 3, 2, 2, 1, Padding::kSame},
        ConvCase{"k4s1explicit", 4, 4, 1, 1, 1, Padding::kExplicit, -1, 1, 0, 0, 1},
        ConvCase{"k3s1dil2valid", 3, 3, 1, 1, 2, Padding::kValid}}) {
    SCOPED_TRACE(c.name);
    std::mt19937 rng(21);
    GraphBuilder b;
    b.Input("z", {1, 1, 10});
    b.Add("t",
          Conv2DTransposeOp(RandomTensor({c.kh, c.kw, 6, 10}, rng), RandomTensor({6}, rng),
                            AttrsOf(c), Activation::Linear()),
          {0});
    b.Add("bn", RandomBn(-1, 6, rng), {b.last()});
    b.Add("a", ActivationOp(Activation::Of(Activation::Kind::kRelu)), {b.last()});
    const auto graph = b.Build();
    for (int64_t batch : {1, 5}) ExpectMatchesReference(graph, batch);
  }
}

// DCGAN's k4 s2 'same' layers on small inputs discard many of the single
// phase convolution's outputs, so they run as one exact convolution per
// phase: channels in whole blocks (blocked copies), BatchNorm + activation
// fused or not, odd and even sizes.
TEST(OneDnnDeconv, ExactConvolutionPerPhaseMatchesReference) {
  ConvAttributes same;
  same.padding = Padding::kSame;
  same.stride_h = same.stride_w = 2;
  Activation thresholded = Activation::Of(Activation::Kind::kRelu, 0.1f);
  thresholded.threshold = 0.2f;
  for (int64_t size : {3, 4, 5}) {
    for (const Activation& act : {Activation::Of(Activation::Kind::kRelu), thresholded}) {
      std::mt19937 rng(static_cast<uint32_t>(size));
      const PhaseAxis axis = PhaseAxis::Of(size, 4, 2, same.TransposedRows(size, 4));
      ASSERT_TRUE(PerPhasePays(axis, axis, 4, 4, 2 * size, 2 * size));
      GraphBuilder b;
      b.Input("x", {size, size + 1, 16});
      b.Add("t",
            Conv2DTransposeOp(RandomTensor({4, 4, 32, 16}, rng), RandomTensor({32}, rng), same,
                              Activation::Linear()),
            {0});
      b.Add("bn", RandomBn(-1, 32, rng), {b.last()});
      b.Add("a", ActivationOp(act), {b.last()});
      const auto graph = b.Build();
      for (int64_t batch : {1, 5}) ExpectMatchesReference(graph, batch, 3);
    }
  }
}

// A narrow strided deconvolution (kh*kw*oc <= 16) whose phase convolution
// would pad taps runs as a product + col2im: odd and even sizes, Keras and
// explicit crops, output padding, BatchNorm folded and activations after.
TEST(OneDnnDeconv, ProductAndCol2ImMatchesReference) {
  const Activation leaky = Activation::Of(Activation::Kind::kLeakyRelu, 0.2f);
  for (const ConvCase& c :
       {ConvCase{"k3s2same", 3, 3, 2, 2, 1, Padding::kSame},
        ConvCase{"k3s2valid", 3, 3, 2, 2, 1, Padding::kValid},
        ConvCase{"k3s2outpad1same", 3, 3, 2, 2, 1, Padding::kSame, 1},
        ConvCase{"k35s23same", 3, 5, 2, 3, 1, Padding::kSame},
        ConvCase{"k3s2explicit", 3, 3, 2, 2, 1, Padding::kExplicit, -1, 1, 2, 0, 1}}) {
    for (int64_t size : {4, 5, 7}) {
      for (const Activation& act : {Activation::Linear(), leaky}) {
        SCOPED_TRACE(::testing::Message() << c.name << " size " << size);
        std::mt19937 rng(static_cast<uint32_t>(size));
        const ConvAttributes attrs = AttrsOf(c);
        ASSERT_TRUE(GemmCol2ImPays(attrs, size, size + 1, c.kh, c.kw, 1));
        GraphBuilder b;
        b.Input("x", {size, size + 1, 24});
        b.Add("t",
              Conv2DTransposeOp(RandomTensor({c.kh, c.kw, 1, 24}, rng), RandomTensor({1}, rng),
                                attrs, Activation::Linear()),
              {0});
        b.Add("bn", RandomBn(-1, 1, rng), {b.last()});
        b.Add("a", ActivationOp(act), {b.last()});
        const auto graph = b.Build();
        for (int64_t batch : {1, 5}) ExpectMatchesReference(graph, batch, 3);
      }
    }
  }
  // Wider outputs, or k a multiple of s (no padded taps), keep the convolutions.
  ConvAttributes same;
  same.padding = Padding::kSame;
  same.stride_h = same.stride_w = 2;
  EXPECT_FALSE(GemmCol2ImPays(same, 5, 5, 3, 3, 2));
  EXPECT_FALSE(GemmCol2ImPays(same, 5, 5, 4, 4, 1));
  EXPECT_FALSE(GemmCol2ImPays(same, 5, 5, 2, 2, 1));
}

// A stride-1 deconvolution runs as the convolution with the kernel flipped
// (PyTorch DCGAN's k4 s1 p0 middle layers): Keras and explicit crops, output
// padding (bias-only rows), dilation, odd sizes, k = 1, BatchNorm folded and
// an activation fused or not. A crop deeper than the kernel keeps oneDNN's
// deconvolution.
TEST(OneDnnDeconv, StrideOneAsFlippedConvolutionMatchesReference) {
  Activation thresholded = Activation::Of(Activation::Kind::kRelu, 0.1f);
  thresholded.threshold = 0.2f;
  for (const ConvCase& c :
       {ConvCase{"k4s1valid", 4, 4, 1, 1, 1, Padding::kValid},
        ConvCase{"k3s1same", 3, 3, 1, 1, 1, Padding::kSame},
        ConvCase{"k4s1same", 4, 4, 1, 1, 1, Padding::kSame},
        ConvCase{"k53s1valid", 5, 3, 1, 1, 1, Padding::kValid},
        ConvCase{"k1s1valid", 1, 1, 1, 1, 1, Padding::kValid},
        ConvCase{"k3s1dil2valid", 3, 3, 1, 1, 2, Padding::kValid},
        ConvCase{"k3s1outpad0same", 3, 3, 1, 1, 1, Padding::kSame, 0},
        ConvCase{"k4s1explicit", 4, 3, 1, 1, 1, Padding::kExplicit, -1, 3, 0, 1, 2},
        ConvCase{"k3s1explicit_outpad", 3, 3, 1, 1, 1, Padding::kExplicit, 0, 0, 1, 1, 0}}) {
    for (int64_t size : {3, 6}) {
      for (const Activation& act : {Activation::Of(Activation::Kind::kRelu), thresholded}) {
        SCOPED_TRACE(::testing::Message() << c.name << " size " << size);
        std::mt19937 rng(static_cast<uint32_t>(size));
        const ConvAttributes attrs = AttrsOf(c);
        ASSERT_TRUE(FlippedConvApplies(attrs, size, size + 1, c.kh, c.kw));
        GraphBuilder b;
        b.Input("x", {size, size + 1, 20});
        b.Add("t",
              Conv2DTransposeOp(RandomTensor({c.kh, c.kw, 24, 20}, rng), RandomTensor({24}, rng),
                                attrs, Activation::Linear()),
              {0});
        b.Add("bn", RandomBn(-1, 24, rng), {b.last()});
        b.Add("a", ActivationOp(act), {b.last()});
        const auto graph = b.Build();
        ASSERT_TRUE(graph.ok()) << graph.status();
        EXPECT_EQ(LowerGraph(*graph)[1].kind, LoweredKind::kFlippedConv);
        for (int64_t batch : {1, 5}) ExpectMatchesReference(graph, batch, 3);
      }
    }
  }
  ConvAttributes deep;
  deep.padding = Padding::kExplicit;
  deep.pad_top = 4;  // past k - 1 = 3
  EXPECT_FALSE(FlippedConvApplies(deep, 9, 9, 4, 4));
  ExpectMatchesReference(
      OneConv({"k4s1deepcrop", 4, 4, 1, 1, 1, Padding::kExplicit, -1, 4}, true, 5), 2, 5);
  ConvAttributes strided;
  strided.stride_w = 2;
  EXPECT_FALSE(FlippedConvApplies(strided, 5, 5, 3, 3));
}

// Every result position belongs to exactly one exact phase.
TEST(OneDnnDeconv, ExactPhasesPartitionTheOutput) {
  for (int64_t in : {1, 3, 4, 7}) {
    for (int64_t k : {2, 3, 4, 5}) {
      for (int64_t s : {2, 3}) {
        for (int64_t crop : {0, 1, 2}) {
          const AxisGeometry g{.out = in * s, .pad_begin = crop};
          std::vector<int> hits(g.out, 0);
          for (int64_t r = 0; r < s; ++r) {
            const ExactPhase e = ExactPhase::Of(in, k, s, g, r);
            for (int64_t j = 0; j < e.count; ++j) ++hits[e.first + j * s];
          }
          for (int64_t o = 0; o < g.out; ++o) EXPECT_EQ(hits[o], 1) << in << k << s << crop << o;
        }
      }
    }
  }
}

TEST(OneDnnBatchNorm, FoldedIntoConvDeconvAndDenseThenActivation) {
  std::mt19937 rng(11);
  ConvAttributes same;
  same.padding = Padding::kSame;
  same.stride_h = same.stride_w = 2;
  GraphBuilder b;
  b.Input("x", {6});
  b.Add("d",
        DenseOp(RandomTensor({6, 4 * 4 * 8}, rng), RandomTensor({128}, rng), Activation::Linear()),
        {b.last()});
  b.Add("bn0", RandomBn(-1, 128, rng), {b.last()});
  b.Add("r", ReshapeOp({4, 4, 8}), {b.last()});
  b.Add(
      "t",
      Conv2DTransposeOp(RandomTensor({3, 3, 5, 8}, rng), std::nullopt, same, Activation::Linear()),
      {b.last()});
  b.Add("bn1", RandomBn(2, 5, rng, false), {b.last()});
  b.Add("a1", ActivationOp(Activation::Of(Activation::Kind::kLeakyRelu, 0.2f)), {b.last()});
  b.Add(
      "c",
      Conv2DOp(RandomTensor({3, 3, 5, 7}, rng), RandomTensor({7}, rng), same, Activation::Linear()),
      {b.last()});
  b.Add("bn2", RandomBn(-1, 7, rng), {b.last()});
  b.Add("a2", ActivationOp(Activation::Of(Activation::Kind::kTanh)), {b.last()});
  const auto graph = b.Build();
  for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
}

TEST(OneDnnBatchNorm, UnfoldedAfterActivationOnAnyAxis) {
  std::mt19937 rng(12);
  ConvAttributes valid;
  GraphBuilder b;
  b.Input("x", {6, 5, 4});
  // A fused relu keeps BN from folding: it runs as its own primitive.
  b.Add("c",
        Conv2DOp(RandomTensor({3, 3, 4, 6}, rng), RandomTensor({6}, rng), valid,
                 Activation::Of(Activation::Kind::kRelu)),
        {b.last()});
  b.Add("bn_c", RandomBn(-1, 6, rng), {b.last()});
  b.Add("bn_h", RandomBn(0, 4, rng), {b.last()});  // axis H: plain-layout path
  b.Add("bn_w", RandomBn(1, 3, rng), {b.last()});  // axis W
  b.Add("f", FlattenOp(), {b.last()});
  b.Add("bn_f", RandomBn(0, 4 * 3 * 6, rng), {b.last()});
  const auto graph = b.Build();
  for (int64_t batch : {1, 37}) ExpectMatchesReference(graph, batch);
}

TEST(OneDnnBatchNorm, NotFoldedWhenConvOutputHasAnotherConsumer) {
  std::mt19937 rng(13);
  GraphBuilder b;
  b.Input("x", {5, 5, 3});
  const int c = b.Add("c",
                      Conv2DOp(RandomTensor({3, 3, 3, 4}, rng), std::nullopt, ConvAttributes{},
                               Activation::Linear()),
                      {0});
  const int bn = b.Add("bn", RandomBn(-1, 4, rng), {c});
  b.Add("sum", ElementwiseOp(ElementwiseOp::Kind::kAdd), {c, bn});
  ExpectMatchesReference(b.Build(), 3);
}

}  // namespace
}  // namespace ganserve
