// oneDNN executor vs reference: a Conv2D with at most four outputs on the
// AVX-512 host kernel (small_oc_conv.h): 1-4 outputs, 16 and 32 inputs,
// kernels 1x1 to 7x7, same, valid and explicit padding, widths that are not
// a multiple of a pixel group, BatchNorm folded, a fused tanh and an
// activation only the reference formulas express, and the f32 output layer
// of a bf16 plan.
#include <random>

#include "engine/graph_builder.h"
#include "engine/onednn/lowering.h"
#include "engine/onednn/small_oc_conv.h"
#include "engine/ops/activation_op.h"
#include "engine/ops/batch_norm.h"
#include "engine/ops/conv2d.h"
#include "engine/ops/conv2d_transpose.h"
#include "engine/ops/upsampling2d.h"
#include "tests/engine/onednn/onednn_test_util.h"

namespace ganserve {
namespace {

struct SmallCase {
  int64_t kh, kw, ic, oc;
  Padding padding;
  int64_t pt = 0, pb = 0, pl = 0, pr = 0;
};

// x -> Conv2D(16 -> ic) -> Conv2D(ic -> oc) -> BatchNorm -> act: the small
// conv reads another layer's output, as an output layer does.
Graph SmallOutputConv(const SmallCase& c, int64_t h, int64_t w, const Activation& act,
                      uint32_t seed) {
  std::mt19937 rng(seed);
  ConvAttributes same;
  same.padding = Padding::kSame;
  ConvAttributes attrs;
  attrs.padding = c.padding;
  attrs.pad_top = c.pt;
  attrs.pad_bottom = c.pb;
  attrs.pad_left = c.pl;
  attrs.pad_right = c.pr;
  GraphBuilder b;
  b.Input("x", {h, w, 16});
  b.Add("hidden",
        Conv2DOp(RandomTensor({3, 3, 16, c.ic}, rng), RandomTensor({c.ic}, rng), same,
                 Activation::Of(Activation::Kind::kRelu)),
        {0});
  b.Add("out",
        Conv2DOp(RandomTensor({c.kh, c.kw, c.ic, c.oc}, rng), RandomTensor({c.oc}, rng), attrs,
                 Activation::Linear()),
        {b.last()});
  b.Add("bn", RandomBatchNorm(c.oc, rng), {b.last()});
  b.Add("act", ActivationOp(act), {b.last()});
  auto graph = b.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return *std::move(graph);
}

bool OnKernel(const Graph& graph) { return LowerGraph(graph)[2].kind == LoweredKind::kSmallOcConv; }

TEST(OneDnnSmallOcConv, MatchesReferenceOnRandomShapes) {
  ConvAttributes probe;
  if (!SmallOcConvApplies(probe, {3, 3, 16, 3})) {
    GTEST_SKIP() << "oneDNN's ISA here is not AVX-512: the kernel is not used";
  }
  Activation thresholded = Activation::Of(Activation::Kind::kRelu, 0.1f);
  thresholded.threshold = 0.2f;
  const Activation acts[] = {Activation::Of(Activation::Kind::kTanh), thresholded};
  const SmallCase cases[] = {
      {3, 3, 16, 3, Padding::kSame},
      {3, 3, 32, 1, Padding::kSame},
      {5, 3, 16, 2, Padding::kValid},
      {7, 7, 16, 4, Padding::kSame},
      {1, 1, 32, 3, Padding::kValid},
      {4, 4, 16, 3, Padding::kSame},
      {3, 3, 16, 3, Padding::kExplicit, 2, 0, 0, 1},
  };
  uint32_t seed = 1;
  for (const SmallCase& c : cases) {
    for (const auto& [h, w] : {std::pair<int64_t, int64_t>{9, 17}, {8, 5}, {7, 24}}) {
      for (const Activation& act : acts) {
        SCOPED_TRACE(::testing::Message() << "k" << c.kh << "x" << c.kw << " ic " << c.ic << " oc "
                                          << c.oc << " " << h << "x" << w << " seed " << seed);
        const Graph graph = SmallOutputConv(c, h, w, act, seed);
        EXPECT_TRUE(OnKernel(graph));
        for (int64_t batch : {1, 3})
          ExpectMatchesReference(graph, RandomInputs(graph, batch, seed));
        ++seed;
      }
    }
  }
}

TEST(OneDnnSmallOcConv, Bf16PlanKeepsItsOutputLayerOnTheKernel) {
  ConvAttributes probe;
  if (!SmallOcConvApplies(probe, {3, 3, 16, 3}) || !CpuRunsBf16Natively()) {
    GTEST_SKIP() << "no AVX-512 with native bf16 here (oneDNN's ISA " << CpuIsaName() << ")";
  }
  const Graph graph = SmallOutputConv({3, 3, 16, 3, Padding::kSame}, 12, 11,
                                      Activation::Of(Activation::Kind::kTanh), 7);
  OneDnnOptions bf16;
  bf16.bf16 = true;
  // The hidden layer in bf16: the bound of onednn_bf16_test.cc.
  ExpectMatchesReference(graph, RandomInputs(graph, 4, 7), 1e-2, bf16);
}

// What the small conv reads as it is: the interleaved phase convolution of an
// upsampling or a strided transposed conv in f32 or bf16, NHWC or nChw16c
// (16 to 48 channels), with BatchNorm and a fused or unfused activation.
struct PhaseCase {
  const char* hidden;  // "up" (nearest x2 + 3x3 conv) or "deconv"
  int64_t k, ic;       // hidden kernel (deconv only), the small conv's inputs
};

Graph PhaseThenSmallConv(const PhaseCase& c, int64_t h, int64_t w, const Activation& act,
                         uint32_t seed) {
  std::mt19937 rng(seed);
  ConvAttributes same;
  same.padding = Padding::kSame;
  const int64_t in_c = 8;
  GraphBuilder b;
  b.Input("x", {h, w, in_c});
  const float scale = 1.0f / static_cast<float>(3 * std::sqrt(in_c));
  if (std::string(c.hidden) == "up") {
    b.Add("up", UpSampling2DOp(2, 2, Interpolation::kNearest), {0});
    b.Add("hidden",
          Conv2DOp(RandomTensor({3, 3, in_c, c.ic}, rng, -scale, scale), std::nullopt, same,
                   Activation::Linear()),
          {b.last()});
  } else {
    ConvAttributes strided = same;
    strided.stride_h = strided.stride_w = 2;
    b.Add("hidden",
          Conv2DTransposeOp(RandomTensor({c.k, c.k, c.ic, in_c}, rng, -scale, scale),
                            RandomTensor({c.ic}, rng), strided, Activation::Linear()),
          {0});
  }
  b.Add("bn", RandomBatchNorm(c.ic, rng), {b.last()});
  b.Add("act", ActivationOp(act), {b.last()});
  const float out_scale = 1.0f / static_cast<float>(3 * std::sqrt(c.ic));
  b.Add("out",
        Conv2DOp(RandomTensor({3, 3, c.ic, 3}, rng, -out_scale, out_scale), RandomTensor({3}, rng),
                 same, Activation::Of(Activation::Kind::kTanh)),
        {b.last()});
  auto graph = b.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return *std::move(graph);
}

TEST(OneDnnSmallOcConv, ReadsPhaseConvolutionResultsInF32AndBf16) {
  ConvAttributes probe;
  if (!SmallOcConvApplies(probe, {3, 3, 16, 3})) {
    GTEST_SKIP() << "oneDNN's ISA here is not AVX-512: the kernel is not used";
  }
  Activation thresholded = Activation::Of(Activation::Kind::kRelu, 0.1f);
  thresholded.threshold = 0.2f;  // no oneDNN post-op: an interleave then the loop
  const Activation acts[] = {Activation::Of(Activation::Kind::kLeakyRelu, 0.2f), thresholded};
  const PhaseCase cases[] = {{"up", 3, 16},     {"up", 3, 32},     {"up", 3, 48},
                             {"deconv", 3, 16}, {"deconv", 4, 32}, {"deconv", 5, 16}};
  OneDnnOptions bf16;
  bf16.bf16 = true;
  uint32_t seed = 20;
  for (const PhaseCase& c : cases) {
    for (const auto& [h, w] : {std::pair<int64_t, int64_t>{5, 9}, {4, 4}, {7, 3}}) {
      for (const Activation& act : acts) {
        SCOPED_TRACE(::testing::Message() << c.hidden << " k" << c.k << " ic " << c.ic << " " << h
                                          << "x" << w << " seed " << seed);
        const Graph graph = PhaseThenSmallConv(c, h, w, act, seed);
        const std::vector<LoweredNode> lowered = LowerGraph(graph);
        EXPECT_EQ(lowered.back().kind == LoweredKind::kAlias ? lowered[lowered.back().source].kind
                                                             : lowered.back().kind,
                  LoweredKind::kSmallOcConv);
        for (int64_t batch : {1, 3}) {
          const std::vector<Tensor> inputs = RandomInputs(graph, batch, seed);
          ExpectMatchesReference(graph, inputs);
          // The hidden layer in bf16, its folded BatchNorm unscaled: up to 1.14% here, the
          // same when the small conv read a reordered f32 copy.
          if (CpuRunsBf16Natively()) ExpectMatchesReference(graph, inputs, 2e-2, bf16);
        }
        ++seed;
      }
    }
  }
}

TEST(OneDnnSmallOcConv, AppliesOnlyToStrideOneUndilatedWholeBlocks) {
  ConvAttributes plain;
  ConvAttributes strided;
  strided.stride_w = 2;
  ConvAttributes dilated;
  dilated.dilation_h = 2;
  EXPECT_FALSE(SmallOcConvApplies(plain, {3, 3, 16, 5}));  // too many outputs
  EXPECT_FALSE(SmallOcConvApplies(plain, {3, 3, 12, 3}));  // not whole 16-channel blocks
  EXPECT_FALSE(SmallOcConvApplies(strided, {3, 3, 16, 3}));
  EXPECT_FALSE(SmallOcConvApplies(dilated, {3, 3, 16, 3}));
}

}  // namespace
}  // namespace ganserve
